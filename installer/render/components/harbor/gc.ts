// Harbor's garbage collection on a schedule (issue 21). Harbor keeps the schedule in its database and
// takes it only through its API (`PUT /api/v2.0/system/gc/schedule`, swagger.yaml "updateGCSchedule":
// the handler deletes any schedule and creates this one, so the call is idempotent). The configuration
// Job (scripts/harbor-config.py) sends it with the rest of the settings.

/**
 * Saturday 03:00 UTC (Harbor's job service schedules in UTC; six fields, seconds first and 0, as
 * ValidateCronString demands). Untagged manifests go too: proxy caches and CI pushes leave many. One
 * worker: GC locks the registry read-only while it deletes blobs, and one worker keeps the load low.
 */
export const HARBOR_GC = {
  schedule: { type: 'Custom', cron: '0 0 3 * * 6' },
  parameters: { delete_untagged: true, workers: 1 },
} as const;
