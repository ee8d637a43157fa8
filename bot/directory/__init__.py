"""Where seats come from in a real organisation: HR import, directory sync, one person across
platforms."""
