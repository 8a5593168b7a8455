// Public surface of the CronJob controller: the controller, schedule parsing and the scheduled
// time arithmetic it is built on.

export { CronJobReconciler, cronJobController, type CronJobControllerOptions } from './cronjob-controller.ts';
export { formatInZone, isValidTimeZone, localTimeZone, parseSchedule, ScheduleError, type Schedule } from '../../machinery/cron-schedule.ts';
export { mostRecentScheduleTime, NEXT_SCHEDULE_DELTA_MS, scheduledTimeToRun, untilNextSchedule, type CronTimes } from './schedule-times.ts';
export { jobFromTemplate, jobNameFor } from './job-from-template.ts';
export { CRONJOB_SCHEDULED_TIMESTAMP, type CronJob, type CronJobSpec, type CronJobStatus } from './types.ts';
