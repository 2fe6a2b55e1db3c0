/* str(datetime.utcfromtimestamp(ts)), the time column of the data tools:
 * "YYYY-MM-DD HH:MM:SS". Written for every point, so without gmtime_r and
 * snprintf (an eighth of get-bulk's instructions went to them). */
#ifndef ESM_TOOLS_PYDATETIME_H
#define ESM_TOOLS_PYDATETIME_H

#define ESM_PY_DATETIME_MAX 64

/* Writes the text of ts (NUL-terminated) into text; outside years 1970 to
 * 9999 as gmtime_r and printf give it, or the number when gmtime_r cannot. */
void esm_py_utc_datetime(long long ts, char text[ESM_PY_DATETIME_MAX]);

#endif
