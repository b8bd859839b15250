/**
 * Slack for "has the interval passed" checks on simulated times, s. Times are absolute seconds
 * since the start of the run; at a year (3.2e7 s) one double's rounding step is about 4e-9 s, so
 * a nanosecond slack would judge a timer that fires exactly on time as early and re-arm it at the
 * same instant forever. A microsecond is far above that and far below anything a radio notices.
 */
export const TIME_EPS_S = 1e-6;
