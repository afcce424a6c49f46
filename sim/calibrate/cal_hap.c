/* Real HAProxy on loopback: two processes, each one thread (`nbthread
 * 1`, so that its CPU is one core's work), on ports the kernel picks.
 *
 * The backend is a second HAProxy that answers every request itself
 * (`http-request return status 200`, HAProxy 2.2 and later): plainly, over
 * TLS, and on two "held" listeners that never answer: `mode tcp` with
 * `tcp-request inspect-delay 5m` and `reject if WAIT_END`, so a request
 * stays in flight at the proxy while its memory is read. (In `mode http`
 * the same rules do not hold anything: HAProxy 2.6 has parsed the whole
 * request by then and answers at once; until 2026-12-04 the "active"
 * figures were read after every answer had come back, with the request
 * and its stream already freed. cal_load.c now checks that no answer
 * came.)
 *
 * The proxy under test has a frontend per mode measured (enum hap_front).
 * Its timeouts are five minutes, longer than any phase, so that nothing
 * it holds is closed under the measurement. Certificates are made for the
 * run (cal_cert.c) in a private folder removed at the end.
 */
#include "cal_hap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cal_cert.h"
#include "cal_internal.h"
#include "cal_proc.h"

static int pick_ports(uint16_t *ports, int n)
{
	int fds[HF_COUNT + HB_COUNT];
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET,
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof a;
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof a) != 0 ||
		    getsockname(fds[i], (struct sockaddr *)&a, &len) != 0)
			rc = -1;
		ports[i] = ntohs(a.sin_port);
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/* Wait until something listens on port (or pid died). */
static int wait_listening(pid_t pid, uint16_t port)
{
	for (int i = 0; i < 250; i++) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
					.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
		if (fd >= 0)
			close(fd);
		if (ok)
			return 0;
		if (!cal_proc_alive(pid))
			return -1;
		cal_sleep(0.02);
	}
	return -1;
}

/* HAProxy's first alert in its log (else its first line), for an error
 * message. */
static void first_alert(const char *path, char *out, size_t outlen)
{
	FILE *fp = fopen(path, "r");
	char line[160];
	out[0] = '\0';
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (!out[0] || strstr(line, "ALERT")) {
			snprintf(out, outlen, "%s", line);
			if (strstr(line, "ALERT"))
				break;
		}
	}
	fclose(fp);
}

/* maxconn within this process's file limit: HAProxy refuses to start
 * when it cannot raise its own limit to about two descriptors a
 * connection. */
static long max_conns(void)
{
	struct rlimit rl;
	long n = 50000;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    (long)(rl.rlim_max / 2) - 500 < n)
		n = (long)(rl.rlim_max / 2) - 500;
	return n > 100 ? n : 100;
}

static const char common_defaults[] =
	"defaults\n"
	"    timeout connect 5s\n"
	"    timeout client 5m\n"
	"    timeout server 5m\n"
	"    timeout http-request 5m\n"
	"    timeout http-keep-alive 5m\n";

static void put_common(FILE *fp)
{
	fprintf(fp,
		"global\n"
		"    maxconn %ld\n"
		"    nbthread 1\n",
		max_conns());
	fputs(common_defaults, fp);
}


static int write_backend_cfg(const struct hap_env *e, const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	put_common(fp);
	fprintf(fp,
		"frontend answer\n"
		"    mode http\n"
		"    bind 127.0.0.1:%u\n"
		"    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    http-request return status 200 content-type application/octet-stream "
		"file %s/big.bin if { path_beg /big }\n"
		"    http-request return status 200 content-type text/plain string ok\n"
		"frontend held\n"
		"    mode tcp\n"
		"    bind 127.0.0.1:%u\n"
		"    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    tcp-request inspect-delay 5m\n"
		"    tcp-request content reject if WAIT_END\n",
		e->back[HB_PLAIN], e->back[HB_TLS], e->dir, e->dir, e->back[HB_HELD],
		e->back[HB_HELD_TLS], e->dir);
	return fclose(fp) == 0 ? 0 : -1;
}

static int write_proxy_cfg(const struct hap_env *e, const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	const char *d = e->dir;
	put_common(fp);
	fprintf(fp,
		"frontend tcp\n    mode tcp\n    bind 127.0.0.1:%u\n    default_backend be_tcp\n"
		"frontend accept\n    mode tcp\n    bind 127.0.0.1:%u\n"
		"    tcp-request connection reject\n    default_backend be_tcp\n"
		"backend be_tcp\n    mode tcp\n    server b 127.0.0.1:%u\n"
		"frontend tcp_held\n    mode tcp\n    bind 127.0.0.1:%u\n"
		"    default_backend be_tcp_held\n"
		"backend be_tcp_held\n    mode tcp\n    server b 127.0.0.1:%u\n"
		"frontend tcp_tls\n    mode tcp\n    bind 127.0.0.1:%u\n"
		"    default_backend be_tcp_tls\n"
		"backend be_tcp_tls\n    mode tcp\n    server b 127.0.0.1:%u\n",
		e->front[HF_TCP], e->front[HF_ACCEPT], e->back[HB_PLAIN], e->front[HF_TCP_HELD],
		e->back[HB_HELD_TLS], e->front[HF_TCP_TLS], e->back[HB_TLS]);
	fprintf(fp,
		"frontend http\n    mode http\n    bind 127.0.0.1:%u\n    default_backend be_http\n"
		"frontend term_rsa\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    use_backend be_held if { path_beg /held }\n    default_backend be_http\n"
		"frontend term_ec\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/ec.pem\n"
		"    default_backend be_http\n"
		"frontend term_never\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    default_backend be_http_never\n",
		e->front[HF_HTTP], e->front[HF_TERM_RSA], d, e->front[HF_TERM_EC], d,
		e->front[HF_TERM_NEVER], d);
	fprintf(fp,
		"frontend reenc\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    use_backend be_reenc_held if { path_beg /held }\n    default_backend be_reenc\n"
		"frontend reenc_never\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    default_backend be_reenc_never\n"
		"frontend reenc_full\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    default_backend be_reenc_full\n"
		"frontend term_local\n    mode http\n    bind 127.0.0.1:%u ssl crt %s/rsa.pem\n"
		"    use_backend be_held if { path_beg /held }\n"
		"    http-request return status 200 content-type text/plain string ok "
		"if !{ path_beg /held }\n",
		e->front[HF_REENC], d, e->front[HF_REENC_NEVER], d, e->front[HF_REENC_FULL], d,
		e->front[HF_TERM_LOCAL], d);
	fprintf(fp,
		"backend be_http\n    mode http\n    server b 127.0.0.1:%u\n"
		"backend be_http_never\n    mode http\n    http-reuse never\n"
		"    server b 127.0.0.1:%u\n"
		"backend be_held\n    mode http\n    server b 127.0.0.1:%u\n"
		"backend be_reenc\n    mode http\n    server b 127.0.0.1:%u ssl verify none\n"
		"backend be_reenc_never\n    mode http\n    http-reuse never\n"
		"    server b 127.0.0.1:%u ssl verify none\n"
		"backend be_reenc_full\n    mode http\n    http-reuse never\n"
		"    server b 127.0.0.1:%u ssl verify none no-ssl-reuse\n"
		"backend be_reenc_held\n    mode http\n    server b 127.0.0.1:%u ssl verify none\n",
		e->back[HB_PLAIN], e->back[HB_PLAIN], e->back[HB_HELD], e->back[HB_TLS],
		e->back[HB_TLS], e->back[HB_TLS], e->back[HB_HELD_TLS]);
	return fclose(fp) == 0 ? 0 : -1;
}

static int make_cert(const char *dir, const char *name, enum cal_key_kind kind)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	EVP_PKEY *key = cal_key_new(kind);
	X509 *cert = key ? cal_cert_new(key) : NULL;
	int rc = cert ? cal_pem_write(path, cert, key) : -1;
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

static int write_big(const char *dir)
{
	char path[256];
	snprintf(path, sizeof path, "%s/big.bin", dir);
	FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	for (int i = 0; i < HAP_BIG_BYTES; i++)
		fputc('a' + i % 26, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

/* `haproxy -vv`: its version and default buffer size. -1 when there is
 * no haproxy. */
static int haproxy_facts(struct hap_env *e)
{
	FILE *p = popen("haproxy -vv 2>/dev/null", "r");
	char line[256];
	int found = 0;
	if (!p)
		return -1;
	while (fgets(line, sizeof line, p)) {
		if (sscanf(line, "HAProxy version %63s", e->version) == 1)
			found = 1;
		char *b = strstr(line, "bufsize = ");
		if (b)
			e->bufsize = strtol(b + 10, NULL, 10);
	}
	int status = pclose(p);
	return found && status == 0 ? 0 : -1;
}

static pid_t start_haproxy(const struct hap_env *e, const char *name, uint16_t port, char *err,
			   size_t errlen)
{
	char cfg[256], log[256];
	snprintf(cfg, sizeof cfg, "%s/%s.cfg", e->dir, name);
	snprintf(log, sizeof log, "%s/%s.log", e->dir, name);
	char *argv[] = {"haproxy", "-db", "-f", cfg, NULL};
	pid_t pid = cal_proc_start(argv, log, err, errlen);
	if (pid < 0)
		return -1;
	if (wait_listening(pid, port) != 0) {
		char line[200];
		first_alert(log, line, sizeof line);
		snprintf(err, errlen, "haproxy (%s) did not start: %s", name,
			 line[0] ? line : "no message");
		cal_proc_stop(pid);
		return -1;
	}
	return pid;
}

int hap_env_init(struct hap_env *e, char *err, size_t errlen)
{
	memset(e, 0, sizeof *e);
	if (haproxy_facts(e) != 0) {
		snprintf(err, errlen, "haproxy is not installed (no 'haproxy -v' on PATH)");
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(e->dir, sizeof e->dir, "%s/lbsim-calibrate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(e->dir)) {
		snprintf(err, errlen, "%s: cannot make a temporary folder: %s", e->dir,
			 strerror(errno));
		e->dir[0] = '\0';
		return -1;
	}
	char path[256];
	if (make_cert(e->dir, "rsa.pem", CAL_KEY_RSA2048) != 0 ||
	    make_cert(e->dir, "ec.pem", CAL_KEY_ECDSA_P256) != 0 || write_big(e->dir) != 0) {
		snprintf(err, errlen, "%s: cannot write the certificates", e->dir);
		goto fail;
	}
	uint16_t ports[HF_COUNT + HB_COUNT];
	if (pick_ports(ports, HF_COUNT + HB_COUNT) != 0) {
		snprintf(err, errlen, "no free loopback ports");
		goto fail;
	}
	memcpy(e->front, ports, sizeof e->front);
	memcpy(e->back, ports + HF_COUNT, sizeof e->back);
	snprintf(path, sizeof path, "%s/backend.cfg", e->dir);
	if (write_backend_cfg(e, path) != 0) {
		snprintf(err, errlen, "%s: cannot write", path);
		goto fail;
	}
	snprintf(path, sizeof path, "%s/proxy.cfg", e->dir);
	if (write_proxy_cfg(e, path) != 0) {
		snprintf(err, errlen, "%s: cannot write", path);
		goto fail;
	}
	e->backend = start_haproxy(e, "backend", e->back[HB_PLAIN], err, errlen);
	if (e->backend < 0) {
		e->backend = 0;
		goto fail;
	}
	return 0;
fail:
	hap_env_free(e);
	return -1;
}

int hap_proxy_start(struct hap_env *e, char *err, size_t errlen)
{
	hap_proxy_stop(e);
	pid_t pid = start_haproxy(e, "proxy", e->front[HF_TCP], err, errlen);
	if (pid < 0)
		return -1;
	e->proxy = pid;
	return 0;
}

void hap_proxy_stop(struct hap_env *e)
{
	if (e->proxy > 0)
		cal_proc_stop(e->proxy);
	e->proxy = 0;
}

void hap_env_free(struct hap_env *e)
{
	hap_proxy_stop(e);
	if (e->backend > 0)
		cal_proc_stop(e->backend);
	e->backend = 0;
	if (!e->dir[0])
		return;
	static const char *const files[] = {"rsa.pem", "ec.pem", "big.bin", "backend.cfg", "proxy.cfg",
					    "backend.log", "proxy.log"};
	char path[256];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", e->dir, files[i]);
		unlink(path);
	}
	rmdir(e->dir);
	e->dir[0] = '\0';
}
