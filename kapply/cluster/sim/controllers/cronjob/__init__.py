"""The CronJob controller (pkg/controller/cronjob, the v2 controller): `schedule` holds the pure
time arithmetic of utils.go, `controller` the sync of cronjob_controllerv2.go."""
