#include "statistics.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    double x;       /* bucket value */
    json_int_t c;   /* count */
    size_t order;   /* position in the histogram, to keep sorting stable */
} bucket;

/* One percentile of esmond-rest-api §11.4 step 6. */
typedef struct {
    const char *name;
    json_int_t k; /* floor(r) */
    double d;     /* r - k */
    bool provisional;
    bool final;
    double value;
} percentile;

static bool is_blank(char c)
{
    /* the ASCII blanks Python's float() strips */
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Reads digit ('_'? digit)* as Python 3 float() does, appending the digits to
 * dst. Returns the number of digits, or -1 for an '_' not between digits. */
static long digit_part(const char **p, const char *end, char *dst, size_t *ndst)
{
    long n = 0;
    const char *s = *p;
    while (s < end && *s >= '0' && *s <= '9') {
        dst[(*ndst)++] = *s++;
        n++;
        if (s < end && *s == '_') {
            if (s + 1 == end || s[1] < '0' || s[1] > '9')
                return -1;
            s++;
        }
    }
    *p = s;
    return n;
}

/* Clinger's fast path: a digit string below 2^53 times a power of ten up to
 * 1e22 is two exact doubles, so one multiplication or division rounds
 * correctly, giving what strtod gives. Most bucket keys ("48.77") take it.
 * digits[0..n) is an optional sign and ASCII digits; false: use strtod. */
static bool exact_decimal(const char *digits, size_t n, long long exp10, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    bool neg = n && digits[0] == '-';
    if (n && (digits[0] == '-' || digits[0] == '+'))
        i++;
    uint64_t m = 0;
    for (; i < n; i++) {
        m = m * 10 + (uint64_t)(digits[i] - '0');
        if (m > (1ULL << 53))
            return false;
    }
    if (exp10 < -22 || exp10 > 22)
        return false;
    double v = exp10 < 0 ? (double)m / pow10[-exp10] : (double)m * pow10[exp10];
    *out = neg ? -v : v;
    return true;
}

/* Parses a bucket key with Python float() syntax, accepting finite decimal
 * numbers only. The digits are rebuilt without a radix point ("4100e-2" for
 * "41.00") so that strtod reads them the same in every locale. */
static bool parse_key(const char *s, size_t len, double *out)
{
    const char *end = s + len;
    while (s < end && is_blank(*s))
        s++;
    while (end > s && is_blank(end[-1]))
        end--;
    char small[96];
    size_t need = (size_t)(end - s) + 32;
    char *canon = need <= sizeof small ? small : malloc(need);
    if (!canon)
        return false;
    size_t n = 0;
    bool ok = false;
    if (s < end && (*s == '+' || *s == '-'))
        canon[n++] = *s++;
    long int_digits = digit_part(&s, end, canon, &n);
    long frac_digits = 0;
    if (int_digits >= 0 && s < end && *s == '.') {
        s++;
        frac_digits = digit_part(&s, end, canon, &n);
    }
    long long exp10 = 0;
    if (int_digits < 0 || frac_digits < 0 || int_digits + frac_digits == 0)
        goto done;
    if (s < end && (*s == 'e' || *s == 'E')) {
        s++;
        bool neg = s < end && *s == '-';
        if (s < end && (*s == '-' || *s == '+'))
            s++;
        size_t e0 = n; /* the exponent digits pass through canon's tail */
        if (digit_part(&s, end, canon, &n) <= 0)
            goto done;
        /* beyond 1e9 the value is 0 or infinite whatever the digits say */
        for (size_t i = e0; i < n && exp10 < 1000000000; i++)
            exp10 = exp10 * 10 + (canon[i] - '0');
        n = e0;
        if (neg)
            exp10 = -exp10;
    }
    if (s != end)
        goto done;
    if (!exact_decimal(canon, n, exp10 - frac_digits, out)) {
        snprintf(canon + n, 32, "e%lld", exp10 - frac_digits);
        *out = strtod(canon, NULL);
    }
    ok = isfinite(*out); /* the project treats inf and nan keys as non-numeric */
done:
    if (canon != small)
        free(canon);
    return ok;
}

static int by_value(const void *a, const void *b)
{
    const bucket *x = a, *y = b;
    if (x->x != y->x)
        return x->x < y->x ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Examines percentile p at the current bucket (value x, cumulative count
 * cum >= p->k, total n). Returns whether p is final; when it is not, it holds
 * a provisional value that the next bucket finishes (esmond-rest-api §11.4 step 6). */
static bool percentile_step(percentile *p, json_int_t cum, json_int_t n, double x)
{
    if (p->provisional)
        p->value = p->value + p->d * (x - p->value); /* even if x has count 0 */
    else if (p->k == 0)
        p->value = x;
    else if (cum >= n && p->k >= n)
        p->value = x;
    else if ((double)p->k + p->d < (double)cum)
        p->value = x;
    else {
        p->value = x;
        p->provisional = true;
        return false;
    }
    p->final = true;
    return true;
}

static void resolve_percentiles(const bucket *b, size_t nb, json_int_t n, percentile *pct, size_t npct)
{
    json_int_t cum = 0;
    size_t cur = 0;
    for (size_t i = 0; i < nb && cur < npct; i++) {
        cum += b[i].c;
        while (cur < npct && cum >= pct[cur].k && percentile_step(&pct[cur], cum, n, b[i].x))
            cur++;
    }
}

static void put_real(esm_buf *out, const char *name, double v)
{
    esm_buf_puts(out, name);
    esm_buf_json_real(out, v);
}

/* Writes the result object in the member order esmond emits. */
static void write_result(esm_buf *out, const bucket *sorted, size_t nb, json_int_t max_count, double mean,
                         double variance, const percentile *pct)
{
    esm_buf_puts(out, "{\"mode\":[");
    bool first = true;
    for (size_t i = 0; i < nb; i++) { /* ascending, a project decision */
        if (sorted[i].c != max_count)
            continue;
        if (!first)
            esm_buf_append(out, ",", 1);
        first = false;
        esm_buf_json_real(out, sorted[i].x);
    }
    put_real(out, "],\"mean\":", mean);
    put_real(out, ",\"minimum\":", sorted[0].x);
    put_real(out, ",\"maximum\":", sorted[nb - 1].x);
    for (size_t i = 0; i < 4; i++) {
        esm_buf_puts(out, ",\"");
        esm_buf_puts(out, pct[i].name);
        put_real(out, "\":", pct[i].value);
    }
    put_real(out, ",\"variance\":", variance);
    put_real(out, ",\"standard-deviation\":", sqrt(variance));
    esm_buf_append(out, "}", 1);
}

void esm_histogram_statistics_write(esm_buf *out, const esm_hist_bucket *in, size_t nb)
{
    if (nb == 0) {
        esm_buf_puts(out, "{}");
        return;
    }
    bucket *b = malloc(nb * sizeof *b);
    if (!b) {
        out->failed = 1;
        return;
    }

    /* Parse in member order; the mean is summed in this order (esmond-rest-api §11.4 step 3). */
    json_int_t n = 0, max_count = 0;
    double sum = 0;
    bool numeric = true;
    for (size_t i = 0; i < nb; i++) {
        bucket *e = &b[i];
        /* A negative count or a total that overflows gives no statistics,
         * like an unparsable key. */
        if (!parse_key(in[i].key, in[i].len, &e->x) || in[i].count < 0 || in[i].count > INT64_MAX - n) {
            numeric = false;
            break;
        }
        e->c = in[i].count;
        e->order = i;
        n += e->c;
        if (e->c > max_count)
            max_count = e->c;
        sum += e->x * (double)e->c;
    }
    if (!numeric || n == 0) {
        free(b);
        esm_buf_puts(out, "{}");
        return;
    }
    double mean = sum / (double)n;

    /* Variance, minimum, maximum and percentiles use ascending bucket values. */
    qsort(b, nb, sizeof *b, by_value);
    double var_sum = 0;
    for (size_t i = 0; i < nb; i++)
        var_sum += (double)b[i].c * ((b[i].x - mean) * (b[i].x - mean));
    double variance = var_sum / (double)n;

    percentile pct[4] = {{.name = "percentile-25"}, {.name = "median"}, {.name = "percentile-75"},
                         {.name = "percentile-95"}};
    static const int pvals[4] = {25, 50, 75, 95};
    for (size_t i = 0; i < 4; i++) {
        double r = (double)pvals[i] / 100.0 * ((double)n + 1.0);
        pct[i].k = (json_int_t)floor(r);
        pct[i].d = r - floor(r);
    }
    resolve_percentiles(b, nb, n, pct, 4);

    /* Huge bucket values can overflow the sums; NaN and Infinity are never
     * valid output (esmond-rest-api §13), so such a histogram has no statistics. */
    bool finite = isfinite(mean) && isfinite(variance);
    for (size_t i = 0; i < 4; i++)
        finite = finite && pct[i].final && isfinite(pct[i].value);
    if (finite)
        write_result(out, b, nb, max_count, mean, variance, pct);
    else
        esm_buf_puts(out, "{}");
    free(b);
}

json_t *esm_histogram_statistics(const json_t *histogram)
{
    size_t nb = json_object_size(histogram), i = 0;
    esm_hist_bucket *in = malloc((nb ? nb : 1) * sizeof *in);
    if (!in)
        return NULL;
    const char *key;
    size_t key_len;
    json_t *count;
    bool integers = true;
    json_object_keylen_foreach((json_t *)histogram, key, key_len, count) {
        integers = integers && json_is_integer(count);
        in[i++] = (esm_hist_bucket){key, key_len, json_integer_value(count)};
    }
    esm_buf text;
    esm_buf_init(&text);
    if (integers)
        esm_histogram_statistics_write(&text, in, nb);
    else
        esm_buf_puts(&text, "{}"); /* counts are integers */
    free(in);
    json_t *o = text.failed ? NULL : json_loads(text.data, 0, NULL);
    esm_buf_free(&text);
    return o;
}
