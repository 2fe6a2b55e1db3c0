#!/usr/bin/env python3
"""Compares esm_parse_time() with python-dateutil, the parser of the Python
tools libesmond replaces.

Usage: timeparse_oracle.py PATH/TO/timeparse_cli

A deterministic corpus (fixed seed) of date/time strings in many formats is
parsed by dateutil exactly as the tools do -- dateutil.parser.parse(s,
default=<now's UTC date at 00:00>), a naive result taken as UTC, epoch seconds
by calendar.timegm(dt.utctimetuple()) -- and by the C driver under the same
`now`, for several values of `now`. Every string must give the same epoch
seconds, or an error from both.

The only exceptions are the DEVIATIONS below, each with its reason: inputs
that dateutil reads in a way we consider nonsense or guesswork (we refuse
them) or that it cannot read although we can (epoch seconds). For these the
C result must be exactly the documented one and dateutil's must differ.

A second, one-sided check mutates corpus strings at random (fixed seed:
tokens deleted, inserted, replaced, swapped). Most mutants are nonsense and
may be refused; but whatever esm_parse_time() accepts must read exactly as
dateutil reads it (epoch-shaped text: exactly its integer value; DEVIATIONS:
as documented there).

Two-digit years: dateutil places them within 50 years of the current year,
esm_parse_time() within 50 years of `now`; dateutil is given `now`'s year as
the current one (NowInfo).

Epoch seconds: a number of 9 or more digits means epoch seconds where it
cannot be a date: where dateutil cannot read it, or it has a sign (dateutil
skips a '-' and may read "-20140429000000" as a date). expected() applies
this rule to every string compared.

Exit status: 0 pass, 1 failure (python-dateutil missing included).
"""
import calendar
import datetime
import os
import random
import re
import subprocess
import sys
import time
import warnings

os.environ["TZ"] = "UTC"  # dateutil treats a zone name equal to time.tzname as local
time.tzset()
try:
    from dateutil import parser as du_parser
except ImportError:
    # A declared test dependency (scripts/install-deps.sh): its absence is a failure, not a skip.
    print("FAIL: python-dateutil is not installed (run scripts/install-deps.sh)")
    sys.exit(1)

warnings.simplefilter("ignore")  # UnknownTimezoneWarning for names we refuse

UTC = datetime.timezone.utc
NOWS = [
    datetime.datetime(2024, 7, 10, 12, 34, 56, tzinfo=UTC),  # a Wednesday
    datetime.datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),  # leap day: "Feb" in a short month clamps
    datetime.datetime(2023, 1, 31, 0, 0, 0, tzinfo=UTC),     # 31st: missing days clamp
]

MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
            "Saturday", "Sunday"]

# input -> (what esm_parse_time() gives: epoch seconds or "error", reason)
DEVIATIONS = {
    # Epoch seconds (a number of 9 or more digits that dateutil cannot read) are
    # checked for every string: see expected().
    # Zone names dateutil does not know: it ignores them and reads UTC.
    "2015-03-15 10:20:30 EST": ("error", "unknown zone name (dateutil silently uses UTC)"),
    "2015-03-15 10:20:30 CET": ("error", "unknown zone name (dateutil silently uses UTC)"),
    "Sun, 04 Jan 2015 10:00:00 PST": ("error", "unknown zone name (dateutil silently uses UTC)"),
    "10:00 ABC": ("error", "unknown zone name (dateutil silently uses UTC)"),
    # POSIX-style inverted signs.
    "2015-03-15 10:20:30 UTC+3": ("error", "dateutil reads UTC+3 as -03:00"),
    "2015-03-15 10:20:30 GMT-3": ("error", "dateutil reads GMT-3 as +03:00"),
    "2015-03-15 10:20:30 UTC +02:00": ("error", "two zones; dateutil keeps UTC and drops the offset"),
    # am/pm with hours that are not on a 12-hour clock.
    "13pm": ("error", "hour 13 with pm; dateutil reads 13:00"),
    "0am": ("error", "hour 0 with am; dateutil reads 00:00"),
    "00:30 am": ("error", "hour 0 with am; dateutil reads 00:30"),
    # Loose digits dateutil reads in surprising ways.
    "2015-03-15 10": ("error", "a loose number after a full date; dateutil reads 10:00"),
    "2015-03-15 1020": ("error", "a loose number after a full date; dateutil reads 10:20"),
    "20150315 102030": ("error", "basic time without 'T'; dateutil reads 10:20:30"),
    "Jan 1 15": ("error", "two-digit year after a space, could be anything; dateutil: 2015"),
    "Jan 1 2015 10": ("error", "a loose number after a full date; dateutil reads 10:00"),
    "3.15": ("error", "dateutil reads the 3rd of the current month"),
    "T102030": ("error", "basic time without a date; dateutil reads 2030-10-20"),
    "2015 03 15": ("error", "numbers separated by spaces only; dateutil: 2015-03-15"),
    "15 Jan 0015": ("error", "a lone year with leading zeros; dateutil reads 2015"),
    "Jan 45": ("error", "day 45; dateutil reads the year 2045"),
    "123": ("error", "three digits; dateutil reads the year 123"),
    "10:00+5": ("error", "one-digit offset hour"),
    "10:5": ("error", "one-digit minutes"),
    "10:20.5": ("error", "fractional minutes; dateutil: 10:20:30"),
    "2015-03-15T": ("error", "'T' without a time"),
    "1Jan2015": ("error", "items glued without a separator"),
    # Dotted dates: dateutil reads month first when both numbers are <= 12.
    "05.03.2015": ("error", "ambiguous dotted date; dateutil reads May 3, writers of dots mean 5 March"),
    "01.02.03": ("error", "ambiguous dotted date; dateutil: 2003-01-02"),
    # A weekday contradicting or not fitting the date.
    "Monday, January 4, 2015": ("error", "January 4, 2015 was a Sunday; dateutil ignores the weekday"),
    "Sunday, January 2015": ("error", "weekday with a date without a day; dateutil moves to a Sunday"),
    "Jan 32": ("error", "day 32; dateutil reads the year 2032"),
    "2015-03-15-01": ("error", "a fourth date part; dateutil reads it as 01:00"),
    "2015--03-15": ("error", "doubled separator"),
    "10:00 10:00": ("error", "two times; dateutil keeps the last"),
    "2015-03-15 2016-03-15": ("error", "two dates; dateutil mixes them"),
    "5:55AMZ": ("error", "'AMZ' is one word; dateutil takes it for a zone name, drops the AM and uses UTC"),
    # dateutil refuses some sensible text that we read.
    "2015-03-15 3:09:29 A.M. UTC": (1426388969, "dateutil takes the 'M' of 'A.M.' for a zone name, then refuses UTC"),
    "1  P.M. August 25 2022": (1661432400, "dateutil refuses am/pm after two spaces"),
    "2:59:11 A.M 12": ("error", "'A.M' without its final dot; dateutil reads 02:59:12"),
    # dateutil drops the year: "01,2015" becomes the decimal 1.2015.
    "Jan 01,2015": ("error", "dateutil takes '01,2015' for the number 1.2015 and loses the year"),
    "10:00,1615": ("error", "dateutil takes '00,1615' for 0.1615 minutes"),
    "2015-03T10": ("error", "'T' after a date without a day; dateutil: the day becomes 10"),
    "12-12T10": ("error", "'T' after a date without a year; dateutil reads 2010-12-12"),
    "123-01-01": ("error", "three-digit year; dateutil: the year 123"),
    "1-2-345": ("error", "three-digit year; dateutil: 0345-01-02"),
    "1st of 2015": ("error", "a day of a year; dateutil: the 10th of January (today's day, the 1st lost)"),
    "Jan 1 of": ("error", "'of' before nothing; dateutil ignores it"),
    "of Jan 1": ("error", "'of' after nothing; dateutil ignores it"),
    "Jan of of 2015": ("error", "'of' twice; dateutil ignores both"),
    "0003-11": ("error", "years are 1000..9999; dateutil: 2023-03-11"),
}


EPOCH_SHAPE = re.compile(r"\s*[+-]?\d{9,}\s*")


def expected(text, now):
    """What esm_parse_time() must give: dateutil's reading, or, for a number
    of 9 or more digits that dateutil cannot read or that has a sign, that
    number (epoch seconds, the documented extension)."""
    want = dateutil_epoch(text, now)
    if EPOCH_SHAPE.fullmatch(text) and (want == "error" or text.strip()[0] in "+-"):
        return int(text)
    return want


class NowInfo(du_parser.parserinfo):
    """dateutil's parserinfo with `now`'s year as the current one, which
    convertyear() places two-digit years around (it reads the private _year
    and _century it sets from the real clock)."""

    def __init__(self, year):
        super().__init__()
        self._year = year
        self._century = year // 100 * 100


def dateutil_epoch(text, now):
    default = datetime.datetime(now.year, now.month, now.day)
    try:
        dt = du_parser.parse(text, default=default, parserinfo=NowInfo(now.year))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return calendar.timegm(dt.utctimetuple())
    except (ValueError, OverflowError, TypeError):
        return "error"


def run_cli(cli, lines, now):
    now_s = calendar.timegm(now.utctimetuple())
    data = "".join(s + "\n" for s in lines)
    r = subprocess.run([cli, str(now_s)], input=data, capture_output=True,
                       text=True, check=False)
    if r.returncode != 0:
        sys.exit("timeparse_cli failed (%d): %s" % (r.returncode, r.stderr))
    out = r.stdout.split("\n")[:-1]
    if len(out) != len(lines):
        sys.exit("timeparse_cli printed %d lines for %d inputs" % (len(out), len(lines)))
    return [o if o == "error" else int(o) for o in out]


# ---- the corpus ------------------------------------------------------------

def month_name(rng, m):
    full = MONTHS[m - 1]
    style = rng.randrange(6)
    if style == 0:
        s = full
    elif style == 1:
        s = "Sept" if m == 9 and rng.random() < 0.5 else full[:3]
    elif style == 2:
        s = full[:3] + "."
    elif style == 3:
        s = full.upper()
    elif style == 4:
        s = full[:3].lower()
    else:
        s = full.lower()
    return s


def weekday_name(rng, d):
    full = WEEKDAYS[d.weekday()]
    return rng.choice([full, full[:3], full.upper(), full[:3].lower(), full[:3] + "."])


def ordinal(n):
    if 11 <= n % 100 <= 13:
        return "%dth" % n
    return "%d%s" % (n, {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


def rand_date(rng):
    r = rng.random()
    if r < 0.6:
        y = rng.randint(1970, 2037)
    elif r < 0.8:
        y = rng.randint(1900, 2099)
    elif r < 0.9:
        y = rng.randint(1000, 1969)  # years before 1970: negative epoch seconds
    else:
        y = rng.randint(1000, 9999)
    m = rng.randint(1, 12)
    d = rng.randint(1, calendar.monthrange(y, m)[1])
    return datetime.date(y, m, d)


def rand_time(rng):
    return datetime.time(rng.randrange(24), rng.randrange(60), rng.randrange(60))


def rand_offset(rng):
    minutes = rng.choice([0, 0, 30, 45]) + 60 * rng.randint(0, 14)
    sign = rng.choice("+-")
    hh, mm = divmod(minutes, 60)
    style = rng.randrange(4)
    if style == 0 or (style == 3 and mm):
        s = "%s%02d:%02d" % (sign, hh, mm)
    elif style == 1:
        s = "%s%02d%02d" % (sign, hh, mm)
    elif style == 2:
        s = "%s%02d:%02d" % (sign, hh, mm)
    else:
        s = "%s%02d" % (sign, hh)
    return rng.choice(["", " "]) + s


def rand_zone(rng):
    r = rng.random()
    if r < 0.25:
        return ""
    if r < 0.45:
        return rng.choice(["Z", "z", " Z", "Z"])
    if r < 0.6:
        return rng.choice([" UTC", " GMT", "UTC"])
    return rand_offset(rng)


def frac(rng):
    return rng.choice(["", "", ".5", ".123456", ",25", ".9999999", ".000001", ".0"])


def hms(t, rng, seconds=None):
    if seconds is None:
        seconds = rng.random() < 0.6
    s = "%02d:%02d" % (t.hour, t.minute)
    if rng.random() < 0.2 and t.hour < 10:
        s = s[1:]
    if seconds:
        s += ":%02d%s" % (t.second, frac(rng))
    return s


def twelve(t, rng, zone_follows=False):
    h = t.hour % 12 or 12
    # dateutil takes the "M" of "A.M." for a zone name: no zone after those
    markers = ["am", "AM", "a.m.", "am"] if zone_follows else ["am", "AM", "a.m.", "A.M.", "am"]
    if t.hour >= 12:
        markers = [m.replace("a", "p").replace("A", "P") for m in markers]
    marker = rng.choice(markers)
    sp = rng.choice(["", " "])
    form = rng.randrange(3)
    if form == 0:
        return "%d:%02d%s%s" % (h, t.minute, sp, marker)
    if form == 1:
        return "%d:%02d:%02d%s%s" % (h, t.minute, t.second, sp, marker)
    return "%d%s%s" % (h, sp, marker)


def safe_yy(rng):
    return rng.choice(list(range(0, 21)) + list(range(91, 100)))


def corpus_common(rng):
    """Strings that give the same answer whatever `now` is, or depend on it
    only through missing fields (which both parsers take from `now`)."""
    out = []
    for _ in range(70):
        d = rand_date(rng)
        t = rand_time(rng)
        Y, M, D = d.year, d.month, d.day
        iso = "%04d-%02d-%02d" % (Y, M, D)
        out += [
            iso,
            "%04d-%d-%d" % (Y, M, D),
            iso + rng.choice(["T", "t", " ", "  "]) + hms(t, rng),
            iso + "T" + hms(t, rng) + rand_zone(rng),
            iso + " " + hms(t, rng, True) + rand_zone(rng),
            "%04d/%02d/%02d" % (Y, M, D),
            "%04d/%d/%d %s" % (Y, M, D, hms(t, rng)),
            "%04d.%02d.%02d" % (Y, M, D),
            "%02d/%02d/%04d" % (M, D, Y),
            "%d/%d/%04d %s" % (M, D, Y, twelve(t, rng)),
            "%02d-%02d-%04d" % (M, D, Y),
            "%02d/%02d/%04d" % (D, M, Y),          # dateutil: day first only when D > 12
            "%04d%02d%02d" % (Y, M, D),
            "%04d%02d%02dT%02d%02d%02d%s" % (Y, M, D, t.hour, t.minute, t.second,
                                             rng.choice(["", "Z", ".5", ",5Z", "+0100", "-05:30"])),
            "%04d%02d%02dT%02d%02d" % (Y, M, D, t.hour, t.minute),
            "%s %d %04d" % (month_name(rng, M), D, Y),
            "%s %d, %04d" % (month_name(rng, M), D, Y),
            "%d %s %04d" % (D, month_name(rng, M), Y),
            "%s %s, %04d" % (month_name(rng, M), ordinal(D), Y),
            "%s %s %04d" % (ordinal(D), month_name(rng, M), Y),
            "%s, %s %d, %04d" % (weekday_name(rng, d), month_name(rng, M), D, Y),
            "%s, %02d %s %04d %s %s" % (weekday_name(rng, d), D, MONTHS[M - 1][:3], Y, hms(t, rng, True), rand_offset(rng).strip()),
            "%s %s %2d %s UTC %04d" % (WEEKDAYS[d.weekday()][:3], MONTHS[M - 1][:3], D, hms(t, rng, True), Y),
            "%s %s %d %s %04d" % (weekday_name(rng, d), month_name(rng, M), D, hms(t, rng, True), Y),
            "%s %d, %04d %s" % (month_name(rng, M), D, Y, hms(t, rng)),
            "%s %d, %04d at %s" % (month_name(rng, M), D, Y, twelve(t, rng)),
            "%s %d %04d %s%s" % (month_name(rng, M), D, Y, hms(t, rng), rand_zone(rng)),
            "%02d-%s-%04d" % (D, MONTHS[M - 1][:3], Y),
            "%s-%02d-%04d" % (MONTHS[M - 1][:3], D, Y),
            "%04d-%s-%02d" % (Y, MONTHS[M - 1][:3], D),
            "%04d %s %d" % (Y, month_name(rng, M), D),
            "%s %s" % (hms(t, rng), iso),
            "%s %s %d %04d" % (twelve(t, rng), month_name(rng, M), D, Y),
        ]
        if D > 12:
            out += ["%02d.%02d.%04d" % (D, M, Y), "%02d.%02d.%04d" % (M, D, Y)]
        yy = safe_yy(rng)
        Y2 = (2000 + yy) if yy <= 20 else (1900 + yy)
        D2 = min(D, calendar.monthrange(Y2, M)[1])
        out += [
            "%02d/%02d/%02d" % (M, D2, yy),
            "%d-%d-%02d" % (M, D2, yy),
            "%02d-%s-%02d" % (D2, MONTHS[M - 1][:3], yy),
            "%s-%02d-%02d" % (MONTHS[M - 1][:3], D2, yy),
        ]
    # Partial dates and times alone: missing fields from now.
    for _ in range(25):
        d = rand_date(rng)
        t = rand_time(rng)
        out += [
            "%d/%d" % (d.month, d.day),
            "%02d-%02d" % (d.month, d.day),
            "%04d-%02d" % (d.year, d.month),
            "%04d/%02d" % (d.year, d.month),
            "%02d/%04d" % (d.month, d.year),
            "%s %04d" % (month_name(rng, d.month), d.year),
            "%04d %s" % (d.year, month_name(rng, d.month)),
            "%s-%04d" % (MONTHS[d.month - 1][:3], d.year),
            "%s %d" % (month_name(rng, d.month), d.day),
            "%d %s" % (d.day, month_name(rng, d.month)),
            "%s %s" % (MONTHS[d.month - 1], ordinal(d.day)),
            month_name(rng, d.month),
            "%04d" % d.year,
            "%d" % d.day,
            ordinal(d.day),
            hms(t, rng),
            hms(t, rng) + rand_zone(rng),
            "T" + "%02d:%02d" % (t.hour, t.minute),
            twelve(t, rng),
            twelve(t, rng, True) + rng.choice([" UTC", " Z", " +02:00", "+0200"]),
            rng.choice(WEEKDAYS),
            rng.choice(WEEKDAYS)[:3] + " " + hms(t, rng),
        ]
    # Invalid dates and times that both must refuse.
    for _ in range(20):
        d = rand_date(rng)
        last = calendar.monthrange(d.year, d.month)[1]
        out += [
            "%04d-%02d-%02d" % (d.year, d.month, last + 1),
            "%s %d %04d" % (MONTHS[d.month - 1], last + 1, d.year),
            "%02d/%02d/%04d" % (d.month, last + 1, d.year),
            "%04d-13-%02d" % (d.year, d.day),
            "%04d-%02d-%02dT%02d:%02d" % (d.year, d.month, d.day, 24 + rng.randrange(10), rng.randrange(60)),
            "%04d-%02d-%02dT%02d:%02d" % (d.year, d.month, d.day, rng.randrange(24), 60 + rng.randrange(40)),
            "%04d-%02d-%02dT10:20:%02d" % (d.year, d.month, d.day, 60 + rng.randrange(40)),
        ]
    out += [
        "1391558400", "-1391558400", "+1391558400", "000000000", " 1420070400 ", "139155840",
        "Feb 29 2015", "Feb 29 2016", "2015-02-29", "2016-02-29", "1900-02-29", "2000-02-29",
        "02/29/2100", "29 Feb 2400", "Feb 30 2016", "Apr 31 2015", "2015-00-10", "2015-01-00",
        "0000-01-01", "1000-01-01", "9999-12-31T23:59:59",
        "foo", "", "   ", "today", "now", "yesterday", "noon", "10:00 utc", "utc",
        "2015-03-15 UTC", "2015-03-15Z", "2015-03-15+02:00", "10:00 +", "2015-03-15T10:20:30+",
        "25:00", "12:60", "10:00:60", "32/01/2015", 
        "15/3", "13/13/2015", "Jan Feb 2015",
        "2015-03-15 10:20:30 +2400", "2015-03-15 10:20:30 +2300", "2015-03-15 10:20:30 -2359",
        "Sun Jan  4 10:00:00 UTC 2015", "Sunday, 04-Jan-15 10:00:00 GMT",
        "Sun, 04 Jan 2015 10:00:00 +0000", "January 1st, 2015", "Sept. 5 2015", "Jan. 1, 2015",
        "Jan 1,2015", "Jan 1 2015 at 10:00", "10:20:30,5", "2015-03-15T10:20:30,123",
        "20150315T102030.5Z", "20150315T10", "2015-03-15T102030", "10:30 p.m.", "10 a.m.",
        "12am", "12pm", "12:30 am", "12:00 pm", "2015-03-15 10:00 PM UTC", "13/02/2015",
        "03/15/2015", "2015/03/15", "15.03.2015", "03.15.2015", "2015.03.15", "\t2015-03-15 ",
        "2015-03-15  10:00", "10:00 2015-03-15", "10:00Z", "10:00 z", "JAN 1 2015", "jan 1 2015",
        "MONDAY", "mon", "Wed.", "Sunday 10:00", "10am", "10 am", "10pm", "2015", "15", "5",
        "20150315", "2015031", "201503", "13915584",
    ]
    return out


def corpus_families(rng):
    """The families issue 10 names: all-digit compact dates and date-times,
    ordinal and wordy day forms, short all-numeric dates with one- or
    two-digit parts, years before 1970 (and below 1000, written with four
    digits). Each is compared with dateutil like the rest of the corpus."""
    out = []
    for _ in range(60):
        d = rand_date(rng)
        t = rand_time(rng)
        Y, M, D = d.year, d.month, d.day
        yy = safe_yy(rng)
        Y2 = (2000 + yy) if yy <= 20 else (1900 + yy)
        D2 = min(D, calendar.monthrange(Y2, M)[1])
        old = datetime.date(rng.randint(1, 999), M, D if M != 2 else min(D, 28))
        out += [
            # all digits: YYYYMMDD, YYYYMMDDhhmm, YYYYMMDDhhmmss, YYMMDD (dateutil: MMDDYY, DDMMYY, YYMMDD)
            "%04d%02d%02d%02d%02d" % (Y, M, D, t.hour, t.minute),
            "%04d%02d%02d%02d%02d%02d" % (Y, M, D, t.hour, t.minute, t.second),
            "%04d%02d%02d%02d%02d%02d%s" % (Y, M, D, t.hour, t.minute, t.second, rand_zone(rng)),
            "%04d%02d%02d%02d%02d %s" % (Y, M, D, t.hour, t.minute, rng.choice(["UTC", "Z", "+0100", "-05:30"])),
            "%02d%02d%02d" % (yy, M, D2),
            "%02d%02d%02d" % (M, D2, yy),
            "%02d%02d%02d" % (D2, M, yy),
            "%02d%02d%02d%s" % (rng.choice([32, 45, 67, 99]), M, D, rng.choice(["", "T%02d%02d" % (t.hour, t.minute),
                                                                               " " + hms(t, rng)])),
            "%s %02d%02d%02d" % (hms(t, rng), M, D2, yy),
            "%d" % rng.randrange(10 ** 8, 10 ** 16),                       # epoch seconds where dateutil fails
            "%04d%02d%02d%02d%02d%02d" % (Y, rng.choice([0, 13, 19]), D, t.hour, t.minute, t.second),
            "%04d%02d%02d%02d%02d" % (Y, M, D, rng.choice([24, 30, 99]), t.minute),
            "%04d%02d%02d%02d" % (Y, M, D, t.hour),
            # ordinal and wordy day forms
            "%s of %s %04d" % (ordinal(D), month_name(rng, M), Y),
            "%s of %s, %04d" % (ordinal(D), month_name(rng, M), Y),
            "%d of %s %04d" % (D, month_name(rng, M), Y),
            "%s of %s" % (ordinal(D), month_name(rng, M)),
            "%s %s of %04d" % (month_name(rng, M), ordinal(D), Y),
            "%s of %04d" % (month_name(rng, M), Y),
            "%s, the %s of %s" % (weekday_name(rng, d), ordinal(D), month_name(rng, M)),  # dateutil: error
            "%s of %s %04d at %s" % (ordinal(D), month_name(rng, M), Y, twelve(t, rng)),
            "%s of %s %04d %s" % (ordinal(D), month_name(rng, M), Y, hms(t, rng)),
            # short all-numeric dates: one- or two-digit parts
            "%d/%d/%d" % (M, D2, yy % 10),
            "%d-%d-%d" % (M, D2, yy % 10),
            "%d/%d/%02d" % (M, D2, yy),
            "%d-%d-%d" % (D2, M, yy % 10) if D2 > 12 else "%d-%d-%d" % (M, D2, yy % 10),
            "%d.%d.%d" % (D2, M, yy) if D2 > 12 else "%d.%d.%d" % (D2, D2, yy),
            "%02d-%02d-%02d" % (rng.choice([32, 45, 67, 99]), M, D),
            "%02d/%02d/%02d" % (rng.choice([32, 45, 67, 99]), M, D),
            "%02d-%02d" % (rng.choice([32, 45, 67, 99]), M),
            "%02d/%02d" % (M, rng.choice([32, 45, 67, 99])),
            "%d/%d" % (M, D),
            # years before 1970 and below 1000 (four digits)
            "%04d-%02d-%02d" % (old.year, old.month, old.day),
            "%02d/%02d/%04d" % (old.month, old.day, old.year),
            "%04d%02d%02d" % (old.year, old.month, old.day),
            "%04d-%02d-%02dT%s" % (old.year, old.month, old.day, hms(t, rng)),
            "%s %d, %04d" % (month_name(rng, M), D, rng.randint(1000, 1969)),
            "%04d-%02d" % (rng.randint(32, 999), M),
        ]
    out += ["-20140429000000", "+20140429000000", "-201404290000", "20140429000000.5", "0003-11", "0031-01",
            "00000101", "00010101", "1st of 2015", "of Jan 1", "Jan 1 of", "Jan of of 2015", "on Jan 1 2015",
            "123-01-01", "1-2-345", "0-1-2", "1-0-2", "1-32-5", "0/0/0", "000101", "001301", "999999"]
    return out


def corpus_for_now(rng, now):
    """Strings whose weekday refers to `now`'s year."""
    out = []
    for _ in range(10):
        m = rng.randint(1, 12)
        d = rng.randint(1, calendar.monthrange(now.year, m)[1])
        day = datetime.date(now.year, m, d)
        out += [
            "%s, %s %d" % (weekday_name(rng, day), month_name(rng, m), d),
            "%s %d %s" % (WEEKDAYS[day.weekday()], d, MONTHS[m - 1]),
        ]
    return out


MUTATION_PIECES = [" ", ",", "-", "/", ".", ":", "+", "T", "t", "Z", "z", "am", "pm", "a", "p",
                   "m", "Jan", "May", "Sept", "1", "12", "31", "2015", "15", "UTC", "GMT", "EST",
                   "at", "st", "th", "Mon", "Sunday", "00", "99", "0", " 10:00", ".5", ",5", "10",
                   "2400", "0000", "\t", "of", "AD"]


def mutants(rng, base, count):
    out = set()
    while len(out) < count:
        s = rng.choice(base)
        for _ in range(rng.randint(1, 3)):
            toks = re.findall(r"\d+|[A-Za-z]+|\s+|.", s)
            if not toks:
                break
            i = rng.randrange(len(toks))
            k = rng.randrange(4)
            if k == 0:
                del toks[i]
            elif k == 1:
                toks.insert(i, rng.choice(MUTATION_PIECES))
            elif k == 2:
                toks[i] = rng.choice(MUTATION_PIECES)
            else:
                j = rng.randrange(len(toks))
                toks[i], toks[j] = toks[j], toks[i]
            s = "".join(toks)
        out.add(s.replace("\n", " "))
    return sorted(out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cli = sys.argv[1]
    rng = random.Random(20150315)
    common = corpus_common(rng) + corpus_families(random.Random(20261202))

    failures = []
    strings = set()
    n_cmp = n_acc = n_rej = 0
    for now in NOWS:
        lines = common + corpus_for_now(rng, now)
        strings.update(lines)
        for text, got in zip(lines, run_cli(cli, lines, now)):
            if text in DEVIATIONS:
                continue
            want = expected(text, now)
            n_cmp += 1
            if got != want:
                failures.append("now=%s %r: esm_parse_time %s, dateutil %s" % (now.isoformat(), text, got, want))
            elif want == "error":
                n_rej += 1
            else:
                n_acc += 1

    n_corpus_fail = len(failures)
    dev = list(DEVIATIONS)
    for now in NOWS:
        for text, got in zip(dev, run_cli(cli, dev, now)):
            ours, reason = DEVIATIONS[text]
            theirs = expected(text, now)
            if got != ours:
                failures.append("deviation %r (%s): esm_parse_time %s, documented %s" % (text, reason, got, ours))
            if theirs == ours:
                failures.append("deviation %r is stale: dateutil gives %s too" % (text, theirs))

    n_dev_fail = len(failures) - n_corpus_fail
    fuzz = mutants(rng, common, 12000)
    n_fuzz_acc = 0
    for now in NOWS:
        for text, got in zip(fuzz, run_cli(cli, fuzz, now)):
            if got == "error" or text in DEVIATIONS:
                continue
            n_fuzz_acc += 1
            want = expected(text, now)
            if got != want:
                failures.append("mutant now=%s %r: esm_parse_time %s, dateutil %s" % (now.isoformat(), text, got, want))

    print("corpus: %d distinct strings, %d comparisons over %d values of now" % (len(strings), n_cmp, len(NOWS)))
    print("agreement: %d accepted alike, %d refused alike, %d differ" % (n_acc, n_rej, n_corpus_fail))
    print("documented deviations: %d strings (checked under each now)" % len(DEVIATIONS))
    print("mutants: %d strings, %d acceptances over %d values of now, %d read otherwise than dateutil reads them"
          % (len(fuzz), n_fuzz_acc, len(NOWS), len(failures) - n_corpus_fail - n_dev_fail))
    print("deviations not as documented: %d" % n_dev_fail)
    if failures:
        for f in failures[:60]:
            print("FAIL", f)
        if len(failures) > 60:
            print("... %d more" % (len(failures) - 60))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
