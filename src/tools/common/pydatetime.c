#include "pydatetime.h"

#include <stdio.h>
#include <time.h>

#define LAST_SECOND 253402300799LL /* 9999-12-31 23:59:59 */

/* The civil date of a day count since 1970-01-01 (Howard Hinnant's
 * days_to_civil, for days >= 0). */
static void civil_from_days(long long days, int *y, int *m, int *d)
{
    long long z = days + 719468;
    long long era = z / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static char *two(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

void esm_py_utc_datetime(long long ts, char text[ESM_PY_DATETIME_MAX])
{
    if (ts < 0 || ts > LAST_SECOND) {
        time_t t = (time_t)ts;
        struct tm tm;
        if (!gmtime_r(&t, &tm))
            snprintf(text, ESM_PY_DATETIME_MAX, "%lld", ts);
        else
            snprintf(text, ESM_PY_DATETIME_MAX, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        return;
    }
    int y, m, d, secs = (int)(ts % 86400);
    civil_from_days(ts / 86400, &y, &m, &d);
    char *p = two(two(text, y / 100), y % 100);
    *p++ = '-';
    p = two(p, m);
    *p++ = '-';
    p = two(p, d);
    *p++ = ' ';
    p = two(p, secs / 3600);
    *p++ = ':';
    p = two(p, secs / 60 % 60);
    *p++ = ':';
    p = two(p, secs % 60);
    *p = '\0';
}
