#ifndef CONFINE_UTIL_CLOCK_H
#define CONFINE_UTIL_CLOCK_H

/* Milliseconds on the monotonic clock (for timeouts and durations). */
long clock_now_ms(void);

/* Sleep for 'ms' milliseconds (a signal may end it early). */
void clock_sleep_ms(long ms);

#endif
