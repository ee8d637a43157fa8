"""The weekly posts: periods and schedules, spotlight selection, reflections from the
source writing, and the claim-build-send-record flow."""
