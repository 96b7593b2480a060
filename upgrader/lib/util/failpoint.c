/* SPDX-License-Identifier: MulanPSL-2.0 */
#include <fiu-control.h>
#include <fiu.h>
#include <json-c/json.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "failpoint.h"
#include "parse.h"
#include "banned.h"

#define MAX_POINTS 512

enum fp_action { FP_NONE, FP_FAIL, FP_EXIT, FP_KILL, FP_PAUSE };

struct fp_state {
    const struct failpoint_def *def;
    enum fp_action action;
    int arg;     /* code or exit status */
    unsigned at; /* fire on this hit (0 = every hit) */
    unsigned hits;
};

static struct fp_state points[MAX_POINTS];
static size_t n_points;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int failpoint_register_all(const struct failpoint_def *defs, size_t n)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < n_points && !dup; j++)
            dup = strcmp(points[j].def->name, defs[i].name) == 0;
        if (dup)
            continue;
        if (n_points == MAX_POINTS) {
            pthread_mutex_unlock(&lock);
            return -OG_E_TOO_LARGE;
        }
        points[n_points++] = (struct fp_state){.def = &defs[i]};
    }
    pthread_mutex_unlock(&lock);
    return 0;
}

bool failpoint_available(void)
{
#ifdef FIU_ENABLE
    return true;
#else
    return false;
#endif
}

size_t failpoint_count(void)
{
    return n_points;
}

void failpoint_reset(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_points; i++) {
#ifdef FIU_ENABLE
        if (points[i].action != FP_NONE)
            fiu_disable(points[i].def->name);
#endif
        points[i].action = FP_NONE;
        points[i].hits = 0;
        points[i].at = 0;
    }
    pthread_mutex_unlock(&lock);
}

#ifdef FIU_ENABLE
static bool fiu_ready;

static struct fp_state *find(const char *name)
{
    for (size_t i = 0; i < n_points; i++)
        if (strcmp(points[i].def->name, name) == 0)
            return &points[i];
    return NULL;
}

/* libfiu asks us whether a point fails: our table decides (counting hits). */
static int decide(const char *name, int *failnum, void **failinfo, unsigned int *flags)
{
    struct fp_state *s;
    int fire = 0;

    (void)failinfo;
    (void)flags;
    pthread_mutex_lock(&lock);
    s = find(name);
    if (s && s->action != FP_NONE) {
        s->hits++;
        fire = s->at == 0 || s->hits == s->at;
    }
    pthread_mutex_unlock(&lock);
    if (fire)
        *failnum = 1;
    return fire;
}

/* The n characters at s as an int in [min, max]. */
static int num_field(const char *s, size_t n, int min, int max, int *ret)
{
    char buf[24];

    if (n >= sizeof(buf))
        return -ERANGE;
    snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
    return safe_atoi_range(buf, min, max, ret);
}

static int parse_action(const char *text, enum fp_action *a, int *arg, unsigned *at)
{
    const char *atp = strchr(text, '@');
    size_t len = atp ? (size_t)(atp - text) : strlen(text);
    int k;

    *at = 0;
    if (atp) {
        if (safe_atoi_range(atp + 1, 1, INT_MAX, &k) < 0)
            return -1;
        *at = (unsigned)k;
    }
    if (len == 4 && strncmp(text, "kill", 4) == 0) {
        *a = FP_KILL;
        return 0;
    }
    if (len == 5 && strncmp(text, "pause", 5) == 0) {
        const char *file = getenv(FAILPOINT_PAUSE_FILE_ENV);
        *a = FP_PAUSE;
        return file && file[0] == '/' ? 0 : -1; /* where to say it paused */
    }
    if (len > 5 && strncmp(text, "fail:", 5) == 0) {
        if (num_field(text + 5, len - 5, INT_MIN, INT_MAX, &k) < 0 || !og_code_known(k))
            return -1;
        *a = FP_FAIL;
        *arg = k;
        return 0;
    }
    if (len > 5 && strncmp(text, "exit:", 5) == 0) {
        if (num_field(text + 5, len - 5, 0, 255, &k) < 0)
            return -1;
        *a = FP_EXIT;
        *arg = k;
        return 0;
    }
    return -1;
}

int failpoint_setup(const char *spec, struct og_error *err)
{
    struct fp_state staged[MAX_POINTS];
    _cleanup_free_ char *copy = NULL;
    char *save = NULL, *item;

    if (!spec)
        spec = getenv(FAILPOINT_ENV);
    if (!spec || !spec[0])
        return 0;
    copy = strdup(spec);
    if (!copy)
        return og_error_set(err, OG_E_NOMEM, "failpoints");
    memcpy(staged, points, sizeof(points[0]) * n_points);
    /* Validate everything first: a bad spec enables nothing. */
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        enum fp_action a;
        unsigned at;
        int arg = 0;
        size_t nl, matched = 0;
        bool prefix;

        if (!eq || eq == item || parse_action(eq + 1, &a, &arg, &at) < 0)
            return og_error_set(err, OG_E_FAILPOINT,
                                "The failpoint setting \"%s\" is invalid (name=fail:CODE|exit:N|"
                                "kill|pause[@K]; pause needs " FAILPOINT_PAUSE_FILE_ENV
                                " set to an absolute path)",
                                item);
        *eq = '\0';
        nl = strlen(item);
        prefix = item[nl - 1] == '*';
        for (size_t i = 0; i < n_points; i++) {
            const char *name = staged[i].def->name;
            if (prefix ? strncmp(name, item, nl - 1) == 0 : strcmp(name, item) == 0) {
                staged[i].action = a;
                staged[i].arg = arg;
                staged[i].at = at;
                staged[i].hits = 0;
                matched++;
            }
        }
        if (!matched)
            return og_error_set(err, OG_E_FAILPOINT,
                                "The failpoint setting \"%s\" is invalid: no such failpoint "
                                "(gs_upgradectl --list-failpoints lists them)",
                                item);
    }
    pthread_mutex_lock(&lock);
    if (!fiu_ready) {
        fiu_init(0);
        fiu_ready = true;
    }
    memcpy(points, staged, sizeof(points[0]) * n_points);
    for (size_t i = 0; i < n_points; i++)
        if (points[i].action != FP_NONE)
            fiu_enable_external(points[i].def->name, 1, NULL, 0, decide);
    pthread_mutex_unlock(&lock);
    return 0;
}

/* The pause: name written to the pause file (created, never followed),
 * then the process waits until someone removes the file, or until the
 * deadline ($OGUP_FAILPOINT_PAUSE_S, default 300 s) removes it itself. */
static void pause_at(const char *name)
{
    const char *file = getenv(FAILPOINT_PAUSE_FILE_ENV), *secs = getenv(FAILPOINT_PAUSE_S_ENV);
    long long limit_s;
    long limit_ms;
    struct timespec tick = {0, 10 * 1000 * 1000};
    char line[256], tmp[PATH_MAX];
    int fd, len, r;

    if (!file)
        return;
    if (!secs || safe_atolli_range(secs, 1, LONG_MAX / 1000, &limit_s) < 0)
        limit_s = 300;
    limit_ms = (long)limit_s * 1000;
    /* the file appears whole (written beside it, then linked into place:
     * link() refuses an existing file as O_EXCL did), so a reader that sees
     * it never reads it empty */
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", file, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "failpoint %s: cannot create %s: %s\n", name, tmp, strerror(errno));
        return;
    }
    len = snprintf(line, sizeof(line), "%s %ld\n", name, (long)getpid());
    if (write(fd, line, (size_t)len) != len)
        fprintf(stderr, "failpoint %s: cannot write %s\n", name, tmp);
    close(fd);
    r = link(tmp, file);
    if (r < 0)
        fprintf(stderr, "failpoint %s: cannot create %s: %s\n", name, file, strerror(errno));
    unlink(tmp);
    if (r < 0)
        return;
    for (long waited = 0; access(file, F_OK) == 0; waited += 10) {
        if (waited >= limit_ms) {
            fprintf(stderr, "failpoint %s: paused %ld s, released by its deadline\n", name,
                    limit_ms / 1000);
            unlink(file);
            break;
        }
        nanosleep(&tick, NULL);
    }
}

int failpoint_hit(const char *name, struct og_error *err)
{
    struct fp_state *s;
    enum fp_action a;
    int arg;

    if (!fiu_ready || !fiu_fail(name))
        return 0;
    pthread_mutex_lock(&lock);
    s = find(name);
    a = s ? s->action : FP_NONE;
    arg = s ? s->arg : 0;
    pthread_mutex_unlock(&lock);
    switch (a) {
    case FP_FAIL:
        return og_error_set(err, arg, "failpoint %s", name);
    case FP_EXIT:
        fflush(NULL);
        _exit(arg);
    case FP_KILL:
        fflush(NULL);
        raise(SIGKILL);
        _exit(137); /* not reached */
    case FP_PAUSE:
        pause_at(name);
        break;
    case FP_NONE:
        break;
    }
    return 0;
}

#else
/* A build without failpoints (meson -Dfailpoints=disabled, or without the
 * tests): OGUP_FAILPOINTS is never read, a spec handed in is refused, and no
 * point ever fires. */
int failpoint_setup(const char *spec, struct og_error *err)
{
    if (!spec || !spec[0])
        return 0;
    return og_error_set(err, OG_E_FAILPOINT,
                        "The failpoint setting \"%s\" is invalid: this build has no failpoints "
                        "(meson -Dfailpoints)",
                        spec);
}

int failpoint_hit(const char *name, struct og_error *err)
{
    (void)name;
    (void)err;
    return 0;
}
#endif

int failpoint_list_json(struct dynbuf *out)
{
    json_object *arr = json_object_new_array();
    int r;

    if (!arr)
        return -OG_E_NOMEM;
    for (size_t i = 0; i < n_points; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(points[i].def->name));
        json_object_object_add(o, "description",
                               json_object_new_string(points[i].def->description));
        json_object_array_add(arr, o);
    }
    r = dynbuf_appendf(out, "%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
    json_object_put(arr);
    return r;
}
