/* Shared options of the perfSONAR query tools (see psopts.h). Messages and
 * their order follow perfsonar_client_opts() and perfsonar_client_filters()
 * of esmond-client; the original printed them on stdout and left with
 * sys.exit(-1), status 255. */
#include "psopts.h"

#include "credentials.h"
#include "termsafe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_CHECK 255

/* The original's event types, in its order (-L prints them so), with the
 * formatting type its esmond-ps-get used for each. */
static const struct {
    const char *name, *format;
} event_types[] = {
    {"failures", "failures"},
    {"histogram-owdelay", "histogram"},
    {"histogram-rtt", "histogram"},
    {"histogram-ttl", "histogram"},
    {"histogram-ttl-reverse", "histogram"},
    {"ntp-delay", "numeric"},
    {"ntp-dispersion", "numeric"},
    {"ntp-jitter", "numeric"},
    {"ntp-offset", "numeric"},
    {"ntp-polling-interval", "numeric"},
    {"ntp-reach", "numeric"},
    {"ntp-stratum", "numeric"},
    {"ntp-wander", "numeric"},
    {"packet-duplicates", "numeric"},
    {"packet-duplicates-bidir", "numeric"},
    {"packet-loss-rate", "numeric"},
    {"packet-loss-rate-bidir", "numeric"},
    {"packet-trace", "packet_trace"},
    {"packet-count-lost", "numeric"},
    {"packet-count-lost-bidir", "numeric"},
    {"packet-count-sent", "numeric"},
    {"packet-reorders", "numeric"},
    {"packet-reorders-bidir", "numeric"},
    {"packet-retransmits", "numeric"},
    {"packet-retransmits-subintervals", "subintervals"},
    {"path-mtu", "numeric"},
    {"streams-packet-retransmits", "number_list"},
    {"streams-packet-retransmits-subintervals", "subinterval_list"},
    {"streams-throughput", "number_list"},
    {"streams-throughput-subintervals", "subinterval_list"},
    {"throughput", "numeric"},
    {"throughput-subintervals", "subintervals"},
    {"time-error-estimates", "numeric"},
};

const char *esm_psopts_event_format(const char *event_type)
{
    for (size_t i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
        if (!strcmp(event_types[i].name, event_type))
            return event_types[i].format;
    return NULL;
}

static void list_event_types(void)
{
    printf("\nValid event types:\n");
    for (size_t i = 0; i < sizeof event_types / sizeof event_types[0]; i++)
        printf("    %s\n", event_types[i].name);
}

/* The original's list, plus whatever else the library's catalog knows: an
 * archive may hold newer types, and they should stay readable. */
static bool known_event_type(const char *name)
{
    return esm_psopts_event_format(name) || esm_catalog_data_type(name) != ESM_TYPE_UNKNOWN;
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* optparse's help column is 54 wide; textwrap breaks at spaces. */
static void wrap_help(const char *text, char *out, size_t cap)
{
    size_t n = 0, line = 0;
    const char *w = text;
    while (*w && n + 2 < cap) {
        size_t len = strcspn(w, " ");
        if (line && line + 1 + len > 54) {
            out[n++] = '\n';
            line = 0;
        } else if (line) {
            out[n++] = ' ';
            line++;
        }
        size_t take = len < cap - n - 1 ? len : cap - n - 1;
        memcpy(out + n, w, take);
        n += take;
        line += len;
        w += len;
        while (*w == ' ')
            w++;
    }
    out[n] = 0;
}

static void parser_of(esm_psopts *o, esm_optdef *defs, size_t *count, char *usage, size_t usage_cap,
                      char *dir_help, esm_optparser *p)
{
    const esm_optdef table[] = {
        {'h', "help", NULL, ESM_OPT_HELP, "show this help message and exit", NULL},
        {'u', "url", "URL", ESM_OPT_STRING, "URL of esmond API you want to talk to.", &o->url},
        {'s', "src", "SRC", ESM_OPT_STRING, "Host originating the test.", &o->src},
        {'d', "dest", "DEST", ESM_OPT_STRING, "Test endpoint.", &o->dest},
        {'a', "agent", "AGENT", ESM_OPT_STRING, "Host that initiated the test - useful for central MAs.",
         &o->agent},
        {'e', "event-type", "EVENT", ESM_OPT_STRING,
         "Type of data (loss, latency, throughput, etc) - see -L\narg.", &o->type},
        {'t', "tool", "TOOL", ESM_OPT_STRING,
         "Tool used to run test (bwctl/iperf3, powstream,\n\"bwctl/tracepath,traceroute\", gridftp, etc).",
         &o->tool},
        {'S', "start-time", "START", ESM_OPT_STRING, "Start time of query (default: 24 hours ago).", &o->start},
        {'E', "end-time", "END", ESM_OPT_STRING, "End time of query (default: now).", &o->end},
        {'F', "filter", "FILTER", ESM_OPT_APPEND,
         "Specify additional query filters - format: -F\nkey:value. Can be used multiple times, invalid filters\n"
         "will be ignored.",
         &o->filters},
        {'L', "list-events", NULL, ESM_OPT_FLAG, "List available event types.", &o->list_events},
        {'M', "metadata-extended", NULL, ESM_OPT_FLAG,
         "Show extended metadata tool-specific values (can not\nbe used with -o csv).", &o->metadata},
        {'T', "summary-type", "SUMMARY_TYPE", ESM_OPT_STRING,
         "Request summary data of type [aggregation, average,\nstatistics].", &o->summary_type},
        {'W', "summary-window", "SUMMARY_WINDOW", ESM_OPT_INT,
         "Timeframe in seconds described by the summary\n(default: 0).", &o->summary_window},
        {'o', "output-format", "O_FORMAT", ESM_OPT_STRING, "Output format [human, json, csv] (default: human).",
         &o->format},
        {'I', "ip", NULL, ESM_OPT_FLAG, "Show source/dest as IP addresses, not hostnames.", &o->ip},
        {'v', "verbose", NULL, ESM_OPT_FLAG, "Verbose output.", &o->verbose},
        {0, "ssl-verify", NULL, ESM_OPT_FLAG, "Verify SSL certificate (default: False)", &o->ssl_verify},
        {0, "timeout", "SECONDS", ESM_OPT_INT,
         "Timeout (in seconds) client will wait without\nreceiveing data before exiting", &o->timeout},
        /* beyond the original: not in --help (kept identical), see the README */
        {0, "insecure", NULL, ESM_OPT_FLAG, NULL, &o->insecure},
        {0, "ca-file", "FILE", ESM_OPT_STRING, NULL, &o->ca_file},
        {0, "user", "USER", ESM_OPT_STRING, NULL, &o->user},
        {0, "key", "KEY", ESM_OPT_STRING, NULL, &o->key},
        {0, "key-file", "FILE", ESM_OPT_STRING, NULL, &o->key_file},
        {0, "script-alias", "ALIAS", ESM_OPT_STRING, NULL, &o->script_alias},
    };
    *count = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        defs[(*count)++] = table[i];
        if (table[i].short_name == 'o' && (o->needs & ESM_PSOPTS_NEED_OUTPUT))
            defs[(*count)++] = (esm_optdef){'D', "output-directory", "DIR", ESM_OPT_STRING, dir_help, &o->output_dir};
    }
    /* beyond the original, not in --help: series read at once */
    if (o->needs & ESM_PSOPTS_NEED_OUTPUT)
        defs[(*count)++] = (esm_optdef){'j', "jobs", "N", ESM_OPT_INT, NULL, &o->jobs};
    snprintf(usage, usage_cap,
             "%s [ -u URL -s SRC -d DEST | -a AGENT | -e EVENT | -t TOOL | -L | -o FORMAT | -v ]\n"
             "--begin and --end args parsed by python-dateutil so fairly flexible with the date formats.",
             o->prog);
    *p = (esm_optparser){o->prog, usage, defs, *count};
}

/* An IP literal, or a name the system resolves (socket.gethostbyname in the
 * original, which refused IPv6 literals). */
static bool valid_host(const char *host)
{
    unsigned char addr[16];
    if (inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1)
        return true;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    freeaddrinfo(res);
    return true;
}

static int check_url(esm_psopts *o, const esm_optparser *p)
{
    o->url = esm_archive_url(o->url, NULL);
    if (!o->url) {
        printf("--url is a required arg\n\n");
        esm_optparse_help(p, stdout);
        return EXIT_CHECK;
    }
    /* The original trimmed a pasted archive path with a note on stdout,
     * where it spoiled json and csv output; the note goes to stderr here and
     * the library does the trimming. */
    const char *scheme_end = strstr(o->url, "://");
    const char *path = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
    if (path && !strncmp(path, "/esmond/perfsonar/archive", 25))
        fprintf(stderr, "not necessary to add /esmond/perfsonar/archive to --url arg - trimming\n");
    return -1;
}

static int check_values(const esm_psopts *o, const esm_optparser *p)
{
    const char *names[] = {"src", "dest", "agent"};
    const char *values[] = {o->src, o->dest, o->agent};
    for (size_t i = 0; i < 3; i++)
        if (values[i] && *values[i] && !valid_host(values[i])) {
            printf("--%s arg had invalid hostname: %s\n", names[i], values[i]);
            return EXIT_CHECK;
        }
    if (o->type && *o->type && !known_event_type(o->type)) {
        printf("%s is not a valid event type\n", o->type);
        list_event_types();
        return EXIT_CHECK;
    }
    if ((o->needs & ESM_PSOPTS_NEED_EVENT) && !(o->type && *o->type)) {
        printf("The --event-type arg is required. Use -L to see a list.\n\n");
        esm_optparse_help(p, stdout);
        return EXIT_CHECK;
    }
    const char *st = o->summary_type;
    if (st && *st && strcmp(st, "aggregation") && strcmp(st, "average") && strcmp(st, "statistics")) {
        printf("%s is not a valid --summary-type arg (one of: ['aggregation', 'average', 'statistics'])\n", st);
        return EXIT_CHECK;
    }
    if (strcmp(o->format, "human") && strcmp(o->format, "json") && strcmp(o->format, "csv")) {
        printf("%s is not a valid --output-format arg (one of: ['human', 'json', 'csv'])\n", o->format);
        return EXIT_CHECK;
    }
    if (!strcmp(o->format, "csv") && o->metadata) {
        printf("--output-format csv can not be used with --metadata-extended\n");
        return EXIT_CHECK;
    }
    return -1;
}

/* src_dest_required() of the original. */
static int check_src_dest(const esm_psopts *o, const esm_optparser *p)
{
    bool ntp = o->type && !strncmp(o->type, "ntp-", 4);
    if (o->src && *o->src && ((o->dest && *o->dest) || ntp))
        return -1;
    printf("--src and --dest args are both required (ntp-* event types only require --src).\n\n");
    esm_optparse_help(p, stdout);
    return EXIT_CHECK;
}

/* valid_output_dir() of the original. */
static int check_output_dir(const esm_psopts *o, const esm_optparser *p)
{
    if (!strcmp(o->format, "human")) {
        printf("please specify either json or csv --output-format for bulk output.\n\n");
        esm_optparse_help(p, stdout);
        return EXIT_CHECK;
    }
    char *abs = realpath(o->output_dir, NULL);
    if (!abs) {
        /* os.path.abspath() of the original: joined to the working directory */
        char cwd[4096];
        if (o->output_dir[0] == '/' || !getcwd(cwd, sizeof cwd))
            printf("output path %s does not exist.\n", o->output_dir);
        else
            printf("output path %s/%s does not exist.\n", strcmp(cwd, "/") ? cwd : "", o->output_dir);
        return EXIT_CHECK;
    }
    free(abs);
    return -1;
}


int esm_psopts_parse_needs(esm_psopts *o, unsigned needs, int argc, char **argv)
{
    static char cwd[4096];
    *o = (esm_psopts){.prog = basename_of(argc > 0 ? argv[0] : "esmond-ps"),
                      .format = "human",
                      .needs = needs,
                      .jobs = ESM_PSOPTS_JOBS_DEFAULT};
    if (needs & ESM_PSOPTS_NEED_OUTPUT)
        o->output_dir = getcwd(cwd, sizeof cwd) ? cwd : ".";
    esm_optdef defs[32];
    size_t count;
    char usage[512], dir_help[4200], help_text[4200];
    snprintf(help_text, sizeof help_text, "Directory to output files to (default: %s).", o->output_dir);
    wrap_help(help_text, dir_help, sizeof dir_help);
    esm_optparser p;
    parser_of(o, defs, &count, usage, sizeof usage, dir_help, &p);
    int rc = esm_optparse(&p, argc, argv);
    if (rc >= 0)
        return rc;
    if ((needs & ESM_PSOPTS_NEED_OUTPUT) && (o->jobs < 1 || o->jobs > ESM_PSOPTS_JOBS_MAX)) {
        char why[128];
        snprintf(why, sizeof why, "option -j/--jobs: the number of jobs must be 1 to %d, not %lld",
                 ESM_PSOPTS_JOBS_MAX, o->jobs);
        return esm_optparse_error(&p, why);
    }
    if (o->list_events) {
        list_event_types();
        return 0;
    }
    if ((rc = check_url(o, &p)) >= 0)
        return rc;
    if ((needs & ESM_PSOPTS_NEED_SRC_DEST) && (rc = check_src_dest(o, &p)) >= 0)
        return rc;
    if ((needs & ESM_PSOPTS_NEED_OUTPUT) && (rc = check_output_dir(o, &p)) >= 0)
        return rc;
    return check_values(o, &p);
}

static int read_time(const char *text, const char *option, long long now, long long fallback, long long *out)
{
    if (!text || !*text) {
        *out = fallback;
        return -1;
    }
    if (esm_parse_time(text, now, out) != ESM_OK) {
        printf("could not parse --%s arg: %s\n", option, text);
        return EXIT_CHECK;
    }
    return -1;
}

/* -F key:value, split at the first colon (the original crashed on a second
 * one); dashed and underscored keys alike, free-form parameters too (the
 * original refused dashed keys and anything but its own filter names). */
static void apply_filter(esm_query *q, const char *f)
{
    const char *colon = strchr(f, ':');
    if (!colon) {
        printf("--filter arg %s should be of the format key:value\n", f);
        return;
    }
    size_t n = (size_t)(colon - f);
    char *key = malloc(n + 1);
    if (!key)
        return;
    for (size_t i = 0; i < n; i++)
        key[i] = f[i] == '_' ? '-' : f[i];
    key[n] = 0;
    if (n == 0 || esm_query_set(q, key, colon + 1) != ESM_OK) {
        for (size_t i = 0; i < n; i++)
            key[i] = key[i] == '-' ? '_' : key[i];
        printf("--filter arg %s is not a valid filtering value\n", key);
    }
    free(key);
}

int esm_psopts_query(const esm_psopts *o, esm_query **out)
{
    long long now = (long long)time(NULL), start, end;
    int rc = read_time(o->start, "start-time", now, now - 86400, &start);
    if (rc < 0)
        rc = read_time(o->end, "end-time", now, now, &end);
    if (rc >= 0)
        return rc;
    esm_query *q = esm_query_new();
    if (!q) {
        fprintf(stderr, "%s: out of memory\n", o->prog);
        return 1;
    }
    const char *names[] = {"source", "destination", "measurement-agent", "event-type", "tool-name", "summary-type"};
    const char *values[] = {o->src, o->dest, o->agent, o->type, o->tool, o->summary_type};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (values[i] && *values[i])
            esm_query_set(q, names[i], values[i]);
    esm_query_set_time(q, "time-start", start);
    esm_query_set_time(q, "time-end", end);
    if (o->summary_window) {
        char w[32];
        snprintf(w, sizeof w, "%lld", o->summary_window);
        esm_query_set(q, "summary-window", w);
    }
    for (size_t i = 0; i < o->filters.count; i++)
        apply_filter(q, o->filters.items[i]);
    fflush(stdout);
    *out = q;
    return -1;
}

static void trace(void *userdata, const char *method, const char *url)
{
    (void)userdata;
    flockfile(stderr); /* get-bulk's threads trace too: one whole line each */
    fprintf(stderr, "%s ", method);
    esm_termsafe_fputs(url, stderr); /* the archive's URIs */
    fputc('\n', stderr);
    funlockfile(stderr);
}

static int client_fail(const esm_psopts *o, esm_client *c, const char *what, const char *value)
{
    fprintf(stderr, "%s: error: %s: %s\n", o->prog, what, value);
    esm_client_free(c);
    return 2;
}

int esm_psopts_client(const esm_psopts *o, esm_client **out)
{
    esm_client *c = esm_client_new(o->url);
    if (!c)
        return client_fail(o, NULL, "--url is not an http:// or https:// URL", o->url);
    const char *user = o->user, *key = o->key;
    char why[512];
    if (esm_credentials(&user, &key, o->key_file, why, sizeof why) != 0) {
        fprintf(stderr, "%s: error: %s\n", o->prog, why);
        esm_client_free(c);
        return 2;
    }
    if (o->script_alias && esm_client_set_script_alias(c, o->script_alias) != ESM_OK)
        return client_fail(o, c, "invalid --script-alias", o->script_alias);
    if (o->ca_file && esm_client_set_ca_file(c, o->ca_file) != ESM_OK)
        return client_fail(o, c, "cannot use --ca-file", o->ca_file);
    if (user && *user && !(key && *key))
        return client_fail(o, c, "a user needs a key (--key, --key-file or ESMOND_KEY)", user);
    if (key && *key) {
        esm_code rc = user && *user ? esm_client_set_api_key(c, user, key) : esm_client_set_token(c, key);
        if (rc != ESM_OK)
            return client_fail(o, c, "credentials", "only visible ASCII without spaces is allowed");
        esm_client_set_auth_on_reads(c, true);
    }
    esm_client_set_insecure(c, o->insecure);
    if (o->timeout > 0) {
        long ms = o->timeout > 86400 ? 86400000L : (long)o->timeout * 1000; /* a day is plenty */
        esm_client_set_timeouts(c, ms, ms);
    }
    if (o->verbose)
        esm_client_set_trace(c, trace, NULL);
    *out = c;
    return -1;
}

esm_hostnames *esm_psopts_hostnames(const esm_psopts *o)
{
    if (o->ip)
        return NULL;
    /* ESMOND_DNS_SERVERS (a c-ares server list) is a testing aid: it points
     * the lookups at a local responder. */
    return esm_hostnames_new(3000, 32, getenv("ESMOND_DNS_SERVERS"));
}

int esm_psopts_archive_error(const esm_psopts *o, esm_client *c, esm_code rc)
{
    return esm_psopts_archive_error_text(o, rc, c ? esm_client_error(c) : NULL);
}

int esm_psopts_archive_error_text(const esm_psopts *o, esm_code rc, const char *detail)
{
    detail = detail ? detail : "";
    fprintf(stderr, "%s: %s%s", o->prog, esm_strerror(rc), *detail ? ": " : "");
    esm_termsafe_fputs(detail, stderr); /* quotes the archive */
    fputc('\n', stderr);
    return 1;
}

int esm_psopts_output_error(const esm_psopts *o, int err)
{
    fprintf(stderr, "%s: cannot write standard output: %s\n", o->prog, strerror(err ? err : EIO));
    return 1;
}

void esm_psopts_free(esm_psopts *o)
{
    esm_strlist_free(&o->filters);
}

int esm_psopts_connect(const esm_psopts *o, esm_query **q, esm_client **c, esm_hostnames **h)
{
    int status = esm_psopts_query(o, q);
    if (status < 0 && esm_global_init() != ESM_OK)
        status = esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    if (status < 0)
        status = esm_psopts_client(o, c);
    if (status < 0 && !o->ip && !(*h = esm_psopts_hostnames(o)))
        status = esm_psopts_archive_error(o, NULL, ESM_ERR_NOMEM);
    return status;
}

int esm_psopts_main(int argc, char **argv, unsigned needs, esm_psopts_run_fn run, const void *ctx)
{
    esm_psopts o;
    esm_query *q = NULL;
    esm_client *c = NULL;
    esm_hostnames *h = NULL;
    /* A closed pipe or a file size limit is a failed write to report (and
     * temporary files to remove), not a silent death. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
    int status = esm_psopts_parse_needs(&o, needs, argc, argv);
    if (status < 0)
        status = esm_psopts_connect(&o, &q, &c, &h);
    if (status < 0)
        status = run(&o, q, c, h, ctx);
    esm_hostnames_free(h);
    esm_client_free(c);
    esm_query_free(q);
    esm_psopts_free(&o);
    esm_global_cleanup();
    return status;
}
