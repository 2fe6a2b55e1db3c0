/* esm_parse_time(): the --start-time/--end-time reader.
 *
 * The Python tools this library replaces hand such text to
 * dateutil.parser.parse() (default: today at 00:00) and turn the result into
 * epoch seconds with calendar.timegm(dt.utctimetuple()), a naive result being
 * UTC. This file reads the sensible part of what dateutil reads, with the same
 * result, and refuses the rest instead of guessing. No locale, no strptime(),
 * no time-zone database: an own name table and civil-date arithmetic.
 *
 * What is read (tokens: digit runs, ASCII letter runs, one of . , : / - +,
 * whitespace runs; anything else is an error):
 *
 *   epoch      [+-]DIGITS, 9 or more digits and nothing else, where it
 *              cannot be a date: with a sign, or of any length but 12 and
 *              14 ("1391558400": dateutil reads a year and fails), or of 12
 *              or 14 digits that are not YYYYMMDDhhmm[ss] ("20141329000000").
 *   all digits as dateutil reads them: D or DD (a day), YYYY, six digits as
 *              three two-digit numbers in dateutil's order (see the short
 *              dates below: "990101", "150315", "031515"), YYYYMMDD,
 *              YYYYMMDDhhmm and YYYYMMDDhhmmss (then a zone may follow).
 *   dates      Y-M-D, Y/M/D, Y.M.D (M and D one or two digits);
 *              M/D/Y, M-D-Y and M.D.Y with Y of four or two digits, read day
 *              first when the first number is above 12 ("13/02/2015" is
 *              13 February), as dateutil does; with dots a first and second
 *              number both <= 12 and different ("05.03.2015") is refused:
 *              dateutil reads May 3, most writers of dotted dates mean 5 March;
 *              three one- or two-digit numbers in dateutil's order: year
 *              first when the first is above 31 ("99-01-01"), else day first
 *              when it is above 12 ("15-3-4"), else M-D-Y ("1/2/3");
 *              Y-M, Y/M, M/Y, M-Y (the year is the number above 31), M/D,
 *              M-D (missing parts from today);
 *              month names and abbreviations in any case ("Sept" too, an
 *              abbreviation may end in '.'): "Jan 1 2015", "January 1st,
 *              2015", "1 Jan 2015", "Jan 2015", "2015 Jan 1", "Jan 1",
 *              "January", "01-Jan-2015", "1-Jan-15", "Jan-01-2015",
 *              "2015-Jan-01", "Jan-2015" ...; "of" between a day and its
 *              month or a month and its year ("1st of March 2015", "March
 *              15th of 2015"); a leading "on"; a lone year ("2015") or a
 *              lone day of the month ("15", "15th"; ordinals must be right).
 *              Four-digit years are 0001..9999 in numeric dates (as
 *              written: "0999-12-31"), 1000..9999 after a month name.
 *   times      H:MM, H:MM:SS, H:MM:SS.fff or ,fff (fraction dropped: the
 *              earlier second, as timegm() of the tuple does); H with am, pm,
 *              a.m. or p.m. (any case, hour 1..12: "12am" is midnight); after
 *              a full date and a 'T' also the basic forms HH, HHMM,
 *              HHMMSS[.fff]. A time may stand alone ("10:00", "T10:00":
 *              today) and may come before or after the date ("Sun Jan 4
 *              10:00:00 UTC 2015").
 *   zones      right after a time: Z, z, UTC, GMT, +HH, +HHMM, +HH:MM (and -),
 *              hours up to 23, minutes up to 59. Without a zone: UTC.
 *   weekday    name or abbreviation, first: with a day it must match the date
 *              (dateutil ignores a wrong one); with no date at all it moves
 *              forward to that day (today counts), as dateutil does.
 *   glue       items are separated by whitespace, commas, " of " or " at "
 *              (before a time); only "1st", "10am", "10:00Z", "10:00+02:00" and
 *              "DATE'T'TIME" are glued. A comma between digits after a number
 *              of two or more digits ("Jan 01,2015") is refused: dateutil's
 *              lexer takes "01,2015" for a decimal number there.
 *
 * Missing fields come from `now`'s UTC date at 00:00:00, the day clamped to
 * the end of a shorter month when only year and/or month are given ("Feb
 * 2015" on the 31st is 28 February), as dateutil does. Two-digit years fall
 * within [now-50, now+49] years (dateutil uses the current year likewise).
 *
 * Refused although dateutil accepts (nonsense or guesswork; each one is
 * listed with dateutil's reading in tests/lib/timeparse_oracle.py): time-zone
 * names other than UTC/GMT/Z (dateutil ignores them and silently reads UTC),
 * "UTC+3"/"GMT+3" (dateutil reads the sign POSIX-style, inverted), two zones,
 * hours above 12 or 0 with am/pm, "24:00", one-digit minutes, seconds or
 * offsets, fractional minutes, a loose number after a full date ("2015-03-15
 * 10" as 10:00), two-digit years written with spaces ("Jan 1 15"), three-digit
 * years, a four-digit year of 31 or less before its month ("0003-11"; a lone
 * "0015" is 2015 to dateutil), three-, five- and seven-digit numbers, "of"
 * elsewhere ("1st of 2015"), a weekday together with a date that has no day, "3.15"
 * (dateutil: the 3rd), "T102030" without a date (dateutil: 2030-10-20), 'T'
 * after a date without a day or year, "a.m" without its final dot, two dates
 * or two times, glued "1Jan2015".
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "esmond/esmond.h"

/* ---- civil-date arithmetic (proleptic Gregorian, no time-zone database) ---- */

/* Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long long z, long long *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long long y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Monday 0 .. Sunday 6, as Python's weekday(); 1970-01-01 was a Thursday. */
static int weekday_of(long long days)
{
    long long r = (days + 3) % 7;
    return (int)(r < 0 ? r + 7 : r);
}

static long long floor_div(long long a, long long b)
{
    long long q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- characters (ASCII only, independent of the locale) ---- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* ---- tokens ---- */

enum tok_kind { TK_NUM, TK_WORD, TK_PUNCT, TK_SPACE };

typedef struct {
    enum tok_kind kind;
    const char *s;
    size_t len;
} tok;

/* No sensible date needs more: "Sunday, January 4th, 2015 at 10:20:30.5 p.m. +02:00" has 35. */
#define MAX_TOKENS 64

static int lex(const char *s, tok *t)
{
    int n = 0;
    while (*s) {
        const char *b = s;
        enum tok_kind kind;
        if (n == MAX_TOKENS)
            return -1;
        if (is_digit(*s)) {
            while (is_digit(*s))
                s++;
            kind = TK_NUM;
        } else if (is_alpha(*s)) {
            while (is_alpha(*s))
                s++;
            kind = TK_WORD;
        } else if (is_space(*s)) {
            while (is_space(*s))
                s++;
            kind = TK_SPACE;
        } else if (*s == '.' || *s == ',' || *s == ':' || *s == '/' || *s == '-' || *s == '+') {
            s++;
            kind = TK_PUNCT;
        } else {
            return -1;
        }
        t[n].kind = kind;
        t[n].s = b;
        t[n].len = (size_t)(s - b);
        n++;
    }
    return n;
}

/* Case-insensitive whole-token comparison with a lower-case word. */
static bool tok_word_is(const tok *t, const char *w)
{
    size_t n = strlen(w);
    if (t->kind != TK_WORD || t->len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(t->s[i]) != w[i])
            return false;
    return true;
}

/* Value of a digit token of at most 9 digits (callers check the length). */
static int tok_num(const tok *t)
{
    int v = 0;
    for (size_t i = 0; i < t->len; i++)
        v = v * 10 + (t->s[i] - '0');
    return v;
}

static int digits_at(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static const char *const month_names[12] = {"january", "february", "march",     "april",   "may",      "june",
                                            "july",    "august",   "september", "october", "november", "december"};
static const char *const weekday_names[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                             "friday", "saturday", "sunday"};

/* Index in names[] of a full name or a three-letter abbreviation; -1 if none.
 * *abbr tells which. "Sept" is an abbreviation of September, as in dateutil. */
static int name_lookup(const tok *t, const char *const *names, int count, bool *abbr)
{
    if (t->kind != TK_WORD)
        return -1;
    for (int i = 0; i < count; i++) {
        if (tok_word_is(t, names[i])) {
            *abbr = t->len == 3; /* "May" */
            return i;
        }
        if (t->len == 3 && lower(t->s[0]) == names[i][0] && lower(t->s[1]) == names[i][1] &&
            lower(t->s[2]) == names[i][2]) {
            *abbr = true;
            return i;
        }
    }
    if (names == month_names && tok_word_is(t, "sept")) {
        *abbr = true;
        return 8;
    }
    return -1;
}

/* ---- the parser ---- */

enum item_kind { IT_WEEKDAY, IT_MONTH, IT_NUMBER, IT_DATE, IT_TIME };

typedef struct {
    const tok *t;
    int n;
    int i;
    long long now_year; /* for two-digit years */

    bool date_group; /* a whole date in one item: "2015-03-15", "20150315", "01-Jan-15" */
    long long year;  /* -1: absent */
    int month, day;  /* -1: absent */

    /* Loose month names and numbers in order of appearance: 'M', 'D', 'Y'. */
    char seq[4];
    int seq_val[4];
    int nseq;

    int wday; /* -1: absent */

    bool has_time;
    int hour, minute, second;

    bool has_zone;
    int offset; /* seconds east of UTC */
} parser;

static const tok *peek(const parser *p, int j)
{
    return j < p->n ? &p->t[j] : NULL;
}

static bool is_punct(const parser *p, int j, char c)
{
    const tok *t = peek(p, j);
    return t && t->kind == TK_PUNCT && t->s[0] == c;
}

static bool is_num(const parser *p, int j, size_t min_len, size_t max_len)
{
    const tok *t = peek(p, j);
    return t && t->kind == TK_NUM && t->len >= min_len && t->len <= max_len;
}

static int month_at(const parser *p, int j, bool *abbr)
{
    const tok *t = peek(p, j);
    bool a = false;
    int m = t ? name_lookup(t, month_names, 12, &a) : -1;
    if (abbr)
        *abbr = a;
    return m < 0 ? -1 : m + 1;
}

/* dateutil's convertyear(): a two-digit year within [-50, +49] years of now. */
static long long convert_year(long long yy, long long now_year)
{
    long long y = yy + now_year / 100 * 100;
    if (y >= now_year + 50)
        y -= 100;
    else if (y < now_year - 50)
        y += 100;
    return y;
}

/* am/pm at j: "am", "pm", "a.m.", "p.m.", any case.
 * Returns the number of tokens (0: none) and *pm. */
static int ampm_at(const parser *p, int j, bool *pm)
{
    const tok *t = peek(p, j);
    if (!t || t->kind != TK_WORD)
        return 0;
    if (tok_word_is(t, "am") || tok_word_is(t, "pm")) {
        *pm = lower(t->s[0]) == 'p';
        return 1;
    }
    if ((tok_word_is(t, "a") || tok_word_is(t, "p")) && is_punct(p, j + 1, '.') && peek(p, j + 2) &&
        tok_word_is(peek(p, j + 2), "m")) {
        *pm = lower(t->s[0]) == 'p';
        return is_punct(p, j + 3, '.') ? 4 : 0;
    }
    return 0;
}

/* A zone designator at j: Z, z, UTC, GMT, +HH, +HHMM, +HH:MM, -...
 * Returns the number of tokens (0: none, -1: malformed offset). */
static int zone_at(const parser *p, int j, int *offset)
{
    const tok *t = peek(p, j);
    if (!t)
        return 0;
    if (t->kind == TK_WORD) {
        if ((t->len == 1 && (t->s[0] == 'Z' || t->s[0] == 'z')) ||
            (t->len == 3 && (memcmp(t->s, "UTC", 3) == 0 || memcmp(t->s, "GMT", 3) == 0))) {
            *offset = 0;
            return 1;
        }
        return 0;
    }
    if (t->kind != TK_PUNCT || (t->s[0] != '+' && t->s[0] != '-'))
        return 0;
    int sign = t->s[0] == '+' ? 1 : -1, hh, mm = 0, used;
    const tok *num = peek(p, j + 1);
    if (!num || num->kind != TK_NUM)
        return -1;
    if (num->len == 4) {
        hh = digits_at(num->s, 2);
        mm = digits_at(num->s + 2, 2);
        used = 2;
    } else if (num->len == 2) {
        hh = tok_num(num);
        used = 2;
        if (is_punct(p, j + 2, ':')) {
            if (!is_num(p, j + 3, 2, 2))
                return -1;
            mm = tok_num(peek(p, j + 3));
            used = 4;
        }
    } else {
        return -1;
    }
    if (hh > 23 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600 + mm * 60);
    return used;
}

/* A fraction of a second at p->i: ".fff" or ",fff", glued; dropped. */
static void skip_fraction(parser *p)
{
    if ((is_punct(p, p->i, '.') || is_punct(p, p->i, ',')) && is_num(p, p->i + 1, 1, (size_t)-1))
        p->i += 2;
}

/* After a time: a zone at p->i, glued or after a space, or none. */
static bool optional_zone(parser *p)
{
    int j = p->i + (peek(p, p->i) && peek(p, p->i)->kind == TK_SPACE);
    int off = 0, k = zone_at(p, j, &off);
    if (k > 0) {
        p->has_zone = true;
        p->offset = off;
        p->i = j + k;
    }
    return k >= 0;
}

/* A time at p->i (a digit token): H:MM[:SS[.f]] [am/pm], H am/pm or, when
 * basic_ok (after DATE'T'), HH, HHMM, HHMMSS[.f]; then an optional zone. */
static bool parse_time(parser *p, bool basic_ok)
{
    const tok *h = peek(p, p->i);
    int hour, minute = 0, second = 0;
    bool basic = false, bare_hour = false, pm = false;

    if (p->has_time || !h || h->kind != TK_NUM)
        return false;
    if (basic_ok && !is_punct(p, p->i + 1, ':') && (h->len == 2 || h->len == 4 || h->len == 6)) {
        basic = true;
        hour = digits_at(h->s, 2);
        if (h->len >= 4)
            minute = digits_at(h->s + 2, 2);
        if (h->len == 6)
            second = digits_at(h->s + 4, 2);
        p->i++;
        if (h->len == 6)
            skip_fraction(p);
    } else if (h->len <= 2 && is_punct(p, p->i + 1, ':')) {
        if (!is_num(p, p->i + 2, 2, 2))
            return false;
        hour = tok_num(h);
        minute = tok_num(peek(p, p->i + 2));
        p->i += 3;
        if (is_punct(p, p->i, ':')) {
            if (!is_num(p, p->i + 1, 2, 2))
                return false;
            second = tok_num(peek(p, p->i + 1));
            p->i += 2;
            skip_fraction(p);
        }
    } else if (h->len <= 2) {
        bare_hour = true; /* only with am/pm */
        hour = tok_num(h);
        p->i++;
    } else {
        return false;
    }

    if (!basic) {
        int j = p->i + (peek(p, p->i) && peek(p, p->i)->kind == TK_SPACE);
        int k = ampm_at(p, j, &pm);
        if (k) {
            if (hour < 1 || hour > 12)
                return false;
            hour = hour % 12 + (pm ? 12 : 0);
            p->i = j + k;
        } else if (bare_hour) {
            return false;
        }
    }
    if (hour > 23 || minute > 59 || second > 59)
        return false;
    p->has_time = true;
    p->hour = hour;
    p->minute = minute;
    p->second = second;
    return optional_zone(p);
}

/* A year of four digits (0001..9999, as written), or of one or two digits
 * (within 50 years of now, as dateutil places them). */
static bool group_year(const parser *p, const tok *t, long long *y)
{
    if (t->len == 4) {
        *y = tok_num(t);
        return *y >= 1;
    }
    if (t->len <= 2) {
        *y = convert_year(tok_num(t), p->now_year);
        return true;
    }
    return false;
}

/* Three one- or two-digit numbers as dateutil orders them: year first when
 * the first cannot be a day (99-01-01), day first when it cannot be a month
 * (13-01-05), else month, day, year. With dots, a month and a day that
 * could swap ("05.03.15") are refused: writers of dotted dates mean the day
 * first, dateutil reads the month first. */
static bool short_ymd(const parser *p, int a, int b, int c, char sep, long long *y, int *m, int *d)
{
    if (a > 31) {
        *y = convert_year(a, p->now_year);
        *m = b;
        *d = c;
        return true;
    }
    *y = convert_year(c, p->now_year);
    if (a > 12) {
        *d = a;
        *m = b;
        return true;
    }
    if (sep == '.' && b <= 12 && a != b)
        return false;
    *m = a;
    *d = b;
    return true;
}

/* A date written as one item at p->i: parts joined by one separator
 * ('-', '/', '.'), numbers or one month name. */
static bool parse_date_group(parser *p)
{
    int m_idx = -1, count = 0;
    const tok *part[3];
    int month_val = 0;
    char sep = 0;
    int j = p->i;

    for (;;) {
        const tok *t = peek(p, j);
        int mv = month_at(p, j, NULL);
        if (mv > 0) {
            if (m_idx >= 0)
                return false;
            m_idx = count;
            month_val = mv;
        } else if (!t || t->kind != TK_NUM) {
            return false;
        }
        part[count++] = t;
        j++;
        const tok *s = peek(p, j);
        if (!s || s->kind != TK_PUNCT || (s->s[0] != '-' && s->s[0] != '/' && s->s[0] != '.'))
            break;
        if (sep == 0)
            sep = s->s[0];
        else if (s->s[0] != sep)
            return false;
        const tok *nx = peek(p, j + 1);
        if (!nx || (nx->kind != TK_NUM && month_at(p, j + 1, NULL) < 0))
            break; /* the separator belongs to what follows */
        if (count == 3)
            return false;
        j++;
    }
    if (count < 2)
        return false;

    long long y = -1;
    int m = -1, d = -1;
#define LEN(k) (part[k]->len)
#define SHORT(k) (part[k]->len >= 1 && part[k]->len <= 2)
    if (count == 3) {
        if (m_idx < 0) {
            if (LEN(0) == 4 && SHORT(1) && SHORT(2)) {
                if (!group_year(p, part[0], &y))
                    return false;
                m = tok_num(part[1]);
                d = tok_num(part[2]);
            } else if (SHORT(0) && SHORT(1) && SHORT(2)) {
                if (!short_ymd(p, tok_num(part[0]), tok_num(part[1]), tok_num(part[2]), sep, &y, &m, &d))
                    return false;
            } else if (SHORT(0) && SHORT(1) && LEN(2) == 4) {
                int a = tok_num(part[0]), b = tok_num(part[1]);
                if (!group_year(p, part[2], &y))
                    return false;
                if (a > 12) {
                    d = a;
                    m = b;
                } else {
                    if (sep == '.' && b <= 12 && a != b)
                        return false; /* "05.03.2015": 5 March or May 3? */
                    m = a;
                    d = b;
                }
            } else {
                return false;
            }
        } else if (m_idx == 0) {
            if (!SHORT(1) || !group_year(p, part[2], &y))
                return false;
            m = month_val;
            d = tok_num(part[1]);
        } else if (m_idx == 1) {
            m = month_val;
            if (LEN(0) == 4 && SHORT(2)) {
                if (!group_year(p, part[0], &y))
                    return false;
                d = tok_num(part[2]);
            } else if (SHORT(0) && group_year(p, part[2], &y)) {
                d = tok_num(part[0]);
            } else {
                return false;
            }
        } else {
            return false;
        }
    } else {
        if (sep == '.')
            return false; /* "3.15" */
        if (m_idx < 0) {
            /* dateutil: a year where a number cannot be a day (above 31), else month and day */
            int a = LEN(0) <= 4 ? tok_num(part[0]) : 0, b = LEN(1) <= 4 ? tok_num(part[1]) : 0;
            if ((LEN(0) == 4 || SHORT(0)) && SHORT(1) && a > 31) {
                if (!group_year(p, part[0], &y))
                    return false;
                m = b;
            } else if (SHORT(0) && (LEN(1) == 4 || SHORT(1)) && b > 31) {
                m = a;
                if (!group_year(p, part[1], &y))
                    return false;
            } else if (SHORT(0) && SHORT(1)) {
                m = a;
                d = b;
            } else {
                return false;
            }
        } else {
            int o = 1 - m_idx;
            m = month_val;
            if (SHORT(o))
                d = tok_num(part[o]);
            else if (LEN(o) == 4 && group_year(p, part[o], &y))
                ;
            else
                return false;
        }
    }
#undef LEN
#undef SHORT
    if (m < 1 || m > 12 || d == 0)
        return false;
    p->date_group = true;
    p->year = y;
    p->month = m;
    p->day = d;
    p->i = j;
    return true;
}

/* An all-digit date at p->i, as dateutil reads one: six digits are three
 * two-digit numbers (990101, 150315, 031515; see short_ymd()), eight
 * YYYYMMDD, twelve and fourteen YYYYMMDDhhmm[ss] (then a zone may follow). */
static bool parse_compact(parser *p, const tok *t)
{
    long long y;
    int m, d;
    if (t->len == 6) {
        if (!short_ymd(p, digits_at(t->s, 2), digits_at(t->s + 2, 2), digits_at(t->s + 4, 2), 0, &y, &m, &d))
            return false;
    } else {
        y = digits_at(t->s, 4);
        m = digits_at(t->s + 4, 2);
        d = digits_at(t->s + 6, 2);
    }
    p->date_group = true;
    p->year = y;
    p->month = m;
    p->day = d;
    p->i++;
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    if (t->len < 12)
        return true;
    if (p->has_time)
        return false;
    p->hour = digits_at(t->s + 8, 2);
    p->minute = digits_at(t->s + 10, 2);
    p->second = t->len == 14 ? digits_at(t->s + 12, 2) : 0;
    if (p->hour > 23 || p->minute > 59 || p->second > 59)
        return false;
    p->has_time = true;
    return optional_zone(p);
}

static bool ordinal_ok(int n, const tok *suffix)
{
    const char *want = "th";
    if (n % 100 < 11 || n % 100 > 13) {
        if (n % 10 == 1)
            want = "st";
        else if (n % 10 == 2)
            want = "nd";
        else if (n % 10 == 3)
            want = "rd";
    }
    return tok_word_is(suffix, want);
}

static bool push_seq(parser *p, char what, int val)
{
    if (p->nseq == 3)
        return false;
    p->seq[p->nseq] = what;
    p->seq_val[p->nseq] = val;
    p->nseq++;
    p->seq[p->nseq] = '\0';
    return true;
}

/* After a date item: 'T' or 't' glued to a time, when the date is complete. */
static bool maybe_t_time(parser *p)
{
    const tok *t = peek(p, p->i);
    if (t && t->kind == TK_WORD && t->len == 1 && (t->s[0] == 'T' || t->s[0] == 't')) {
        if (p->year < 0 || p->day < 0)
            return false;
        p->i++;
        return parse_time(p, true);
    }
    return true;
}

/* One item at p->i (not whitespace, not a comma). */
static bool parse_item(parser *p, bool first, enum item_kind *kind)
{
    const tok *t = peek(p, p->i);
    bool abbr = false, pm;

    if (t->kind == TK_NUM) {
        int j = p->i + 1;
        if (is_punct(p, j, ':')) {
            *kind = IT_TIME;
            return parse_time(p, false);
        }
        if (t->len <= 2 &&
            (ampm_at(p, j, &pm) || (peek(p, j) && peek(p, j)->kind == TK_SPACE && ampm_at(p, j + 1, &pm)))) {
            *kind = IT_TIME;
            return parse_time(p, false);
        }
        if (t->len == 6 || t->len == 8 || t->len == 12 || t->len == 14) {
            *kind = IT_DATE;
            return !p->date_group && parse_compact(p, t) && maybe_t_time(p);
        }
        if ((is_punct(p, j, '-') || is_punct(p, j, '/') || is_punct(p, j, '.')) &&
            (is_num(p, j + 1, 1, (size_t)-1) || month_at(p, j + 1, NULL) > 0)) {
            *kind = IT_DATE;
            if (p->date_group || !parse_date_group(p))
                return false;
            return maybe_t_time(p);
        }
        *kind = IT_NUMBER;
        if (t->len <= 2) {
            int v = tok_num(t);
            p->i++;
            if (peek(p, p->i) && peek(p, p->i)->kind == TK_WORD) {
                if (!ordinal_ok(v, peek(p, p->i)))
                    return false;
                p->i++;
            }
            return v >= 1 && v <= 31 && push_seq(p, 'D', v);
        }
        if (t->len == 4 && t->s[0] != '0') {
            p->i++;
            return push_seq(p, 'Y', tok_num(t));
        }
        return false;
    }
    if (t->kind != TK_WORD)
        return false;

    int wd = name_lookup(t, weekday_names, 7, &abbr);
    if (wd >= 0) {
        *kind = IT_WEEKDAY;
        if (p->wday >= 0)
            return false;
        p->wday = wd;
        p->i++;
        if (abbr && is_punct(p, p->i, '.'))
            p->i++;
        return true;
    }
    int mv = month_at(p, p->i, &abbr);
    if (mv > 0) {
        if ((is_punct(p, p->i + 1, '-') || is_punct(p, p->i + 1, '/')) && is_num(p, p->i + 2, 1, (size_t)-1)) {
            *kind = IT_DATE;
            if (p->date_group || !parse_date_group(p))
                return false;
            return maybe_t_time(p);
        }
        *kind = IT_MONTH;
        p->i++;
        if (abbr && is_punct(p, p->i, '.'))
            p->i++;
        return push_seq(p, 'M', mv);
    }
    if (first && t->len == 1 && (t->s[0] == 'T' || t->s[0] == 't') && is_num(p, p->i + 1, 1, 2) &&
        is_punct(p, p->i + 2, ':')) {
        *kind = IT_TIME;
        p->i++;
        return parse_time(p, false);
    }
    return false;
}

/* Loose month names and numbers into year, month, day. */
static bool resolve_seq(parser *p)
{
    static const char *const allowed[] = {"", "Y", "D", "M", "MD", "DM", "MY", "YM", "MDY", "DMY", "YMD"};
    bool ok = false;
    for (size_t k = 0; k < sizeof allowed / sizeof allowed[0]; k++)
        if (strcmp(p->seq, allowed[k]) == 0)
            ok = true;
    if (!ok)
        return false;
    for (int k = 0; k < p->nseq; k++) {
        if (p->seq[k] == 'Y')
            p->year = p->seq_val[k];
        else if (p->seq[k] == 'M')
            p->month = p->seq_val[k];
        else
            p->day = p->seq_val[k];
    }
    return true;
}

/* "of" between the items before and after it (seq holds before_seq items
 * before it): DAY of MONTH ("1st of March"), or MONTH [DAY] of YEAR ("March
 * 15th of 2015"), as dateutil reads them. */
static bool of_fits(const parser *p, int before_seq, enum item_kind before, enum item_kind after)
{
    if (before != IT_NUMBER && before != IT_MONTH)
        return false;
    if (after != IT_NUMBER && after != IT_MONTH)
        return false;
    if (p->nseq != before_seq + 1 || before_seq < 1)
        return false;
    char prev = p->seq[before_seq - 1], next = p->seq[before_seq];
    if (next == 'M')
        return prev == 'D';
    return next == 'Y' && p->seq[0] == 'M' && (before_seq == 1 || (before_seq == 2 && prev == 'D'));
}

static bool parse_text(parser *p, long long now_days, long long *out)
{
    bool have_sep = true, comma = false, at = false, any = false, of = false;
    int of_seq = 0;
    enum item_kind last = IT_NUMBER;

    while (p->i < p->n) {
        const tok *t = peek(p, p->i);
        if (t->kind == TK_SPACE) {
            have_sep = true;
            p->i++;
            continue;
        }
        if (t->kind == TK_PUNCT && t->s[0] == ',') {
            if (!any || comma || at)
                return false;
            /* "14,1989": dateutil reads a decimal number there; so no reading is safe */
            if (p->i > 0 && is_num(p, p->i - 1, 2, (size_t)-1) && is_num(p, p->i + 1, 1, (size_t)-1))
                return false;
            comma = true;
            have_sep = true;
            p->i++;
            continue;
        }
        if (!have_sep)
            return false;
        if (!any && !at && tok_word_is(t, "on") && peek(p, p->i + 1) && peek(p, p->i + 1)->kind == TK_SPACE) {
            p->i++; /* "on Jan 1 2015" */
            have_sep = false;
            continue;
        }
        if (tok_word_is(t, "of")) {
            if (!any || at || of || comma || !peek(p, p->i + 1) || peek(p, p->i + 1)->kind != TK_SPACE)
                return false;
            of = true;
            of_seq = p->nseq;
            p->i++;
            continue;
        }
        if (tok_word_is(t, "at")) {
            if (!any || at || !peek(p, p->i + 1) || peek(p, p->i + 1)->kind != TK_SPACE)
                return false;
            at = true;
            p->i++;
            continue;
        }
        enum item_kind kind = IT_NUMBER;
        if (!parse_item(p, !any, &kind))
            return false;
        if (at && kind != IT_TIME)
            return false;
        if (of && !of_fits(p, of_seq, last, kind))
            return false;
        if (kind == IT_WEEKDAY && any)
            return false; /* a weekday comes first */
        at = comma = of = have_sep = false;
        any = true;
        last = kind;
    }
    if (!any || comma || at || of)
        return false;

    if (p->date_group ? p->nseq > 0 : !resolve_seq(p))
        return false;
    bool date_given = p->date_group || p->nseq > 0;
    bool day_given = p->day > 0;

    long long ny;
    int nm, nd;
    civil_from_days(now_days, &ny, &nm, &nd);
    long long y = p->year > 0 ? p->year : ny;
    int m = p->month > 0 ? p->month : nm;
    int d;
    if (day_given) {
        d = p->day;
        if (d > month_days(y, m))
            return false;
    } else {
        d = nd < month_days(y, m) ? nd : month_days(y, m);
    }
    long long days = days_from_civil(y, m, d);
    if (p->wday >= 0) {
        if (!date_given)
            days += (p->wday - weekday_of(days) + 7) % 7;
        else if (!day_given || weekday_of(days) != p->wday)
            return false;
    }
    *out = days * 86400 + (p->has_time ? p->hour * 3600LL + p->minute * 60 + p->second : 0) -
           (p->has_zone ? p->offset : 0);
    return true;
}

/* [+-]digits, at least 9 digits, nothing else (after trimming): epoch seconds. */
static int parse_epoch(const char *b, const char *e, long long *out)
{
    bool neg = false;
    if (b < e && (*b == '+' || *b == '-')) {
        neg = *b == '-';
        b++;
    }
    if (e - b < 9)
        return 0;
    for (const char *c = b; c < e; c++)
        if (!is_digit(*c))
            return 0;
    long long v = 0;
    for (const char *c = b; c < e; c++) {
        int dg = *c - '0';
        /* accumulate negatively so that LLONG_MIN fits */
        if (v < (LLONG_MIN + dg) / 10)
            return -1;
        v = v * 10 - dg;
    }
    if (!neg) {
        if (v == LLONG_MIN)
            return -1;
        v = -v;
    }
    *out = v;
    return 1;
}

esm_code esm_parse_time(const char *text, long long now, long long *out)
{
    /* now must lie in 0001-01-01 .. 9999-12-31, as dateutil's default does */
    if (!text || !out || now < -62135596800LL || now > 253402300799LL)
        return ESM_ERR_INVALID;

    const char *b = text, *e = text + strlen(text);
    while (b < e && is_space(*b))
        b++;
    while (e > b && is_space(e[-1]))
        e--;
    long long epoch;
    int r = parse_epoch(b, e, &epoch);
    /* twelve and fourteen digits are YYYYMMDDhhmm[ss] when they can be, as to dateutil */
    bool compact = r > 0 && is_digit(*b) && (e - b == 12 || e - b == 14);
    if (r < 0)
        return ESM_ERR_TIME_SYNTAX;
    if (r > 0 && !compact) {
        *out = epoch;
        return ESM_OK;
    }

    tok toks[MAX_TOKENS];
    int n = lex(text, toks);
    if (n < 0)
        return ESM_ERR_TIME_SYNTAX;

    long long now_days = floor_div(now, 86400), ny;
    int nm, nd;
    civil_from_days(now_days, &ny, &nm, &nd);
    parser p = {.t = toks, .n = n, .now_year = ny, .year = -1, .month = -1, .day = -1, .wday = -1};
    long long v;
    if (!parse_text(&p, now_days, &v)) {
        if (!compact)
            return ESM_ERR_TIME_SYNTAX;
        v = epoch; /* not a date (20141329000000): epoch seconds, where dateutil fails */
    }
    *out = v;
    return ESM_OK;
}
