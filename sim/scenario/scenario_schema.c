/* The scenario file schema, as libcyaml field arrays, and the words that
 * messages use for its parts.
 *
 * The schema (the README copies this block):
 *
 *   name: Exchange 2013, 8 CAS   # required, 1 to 127 bytes
 *   duration: 1h                 # required duration, > 0 and <= 30d: the
 *                                #   measured part of the run
 *   warmup: 10m                  # optional duration <= 30d, default 0: run
 *                                #   before measuring, then discarded
 *   seed: 42                     # optional whole number 0 .. 2^64-1, default 1
 *   replications: 5              # optional 1 .. 1000, default 1
 *   servers:                     # required mapping
 *     count: 8                   #   1 .. 4096; default the list's length,
 *                                #     required without a list
 *     address: 10.0.1.1:443      #   optional: the first server's address
 *                                #     and port ([IPv6]:port), the others
 *                                #     at the next addresses: how the nginx
 *                                #     and ipvs profiles know servers;
 *                                #     default 127.0.0.1:10001, :10002, ...
 *     cores: 8                   #   optional 1 .. 1024, default 1
 *     service: 20ms              #   duration > 0 (<= 30d): mean CPU demand of
 *                                #     one request of open traffic
 *                                #     (exponential); required when a
 *                                #     population has a rate
 *     affinity: none             #   optional: none (default) or required (the
 *                                #     Exchange 2010 case: a request away from
 *                                #     its session's server re-authenticates)
 *     affinity-penalty: 30ms     #   optional duration, default 30ms, with
 *                                #     affinity required only: the CPU that
 *                                #     re-authentication costs
 *     workloads:                 #   optional, by workload name (owa, ecp, eas,
 *       owa: {demand: 8ms, cv: 1} #    ews, oa, mapi, autodiscover, oab): CPU
 *                                #     of one request of device traffic;
 *                                #     demand a duration > 0, cv a number
 *                                #     0 .. 10 (1 exponential, 0 constant);
 *                                #     defaults in models/workload.c
 *     maxconn: 100               #   optional 0 .. 1,000,000, default 0
 *                                #     (unlimited): every server's
 *                                #     connection slots (HAProxy's
 *                                #     default-server maxconn)
 *     list:                      #   optional, 1 .. 4096 entries: the
 *       - weight: 2              #     servers from the first, HAProxy's
 *         cores: 16              #     `server` lines; weight 0 .. 256,
 *         maxconn: 50            #     default 1 (0: no new traffic),
 *         backup: false          #     cores 1 .. 1024, default the
 *                                #     servers' cores, maxconn as above
 *                                #     (layer 7: more requests wait,
 *                                #     layer 4: more connections are
 *                                #     refused), backup true: used only
 *                                #     while no other server is; with
 *                                #     count, count >= the list's length
 *                                #     and the servers past it take the
 *                                #     defaults
 *         address: 10.0.1.11:443 #     its own address and port
 *                                #     (nginx, ipvs profiles); else
 *                                #     address: above or the default;
 *                                #     no two servers share one
 *   populations:                 # required sequence of 1 .. 64 entries
 *     - name: branch             #   required, 1 to 63 bytes, unique among
 *                                #     populations
 *       users: 3000              #   required 1 .. 10,000,000 (not with
 *                                #     replay: the log has its users)
 *       source: nat              #   optional: unique (default: one public
 *                                #     address per device), nat (the devices
 *                                #     share `addresses` addresses) or cgnat
 *                                #     (a carrier pool: a device's address
 *                                #     changes now and then)
 *       addresses: 3             #   nat and cgnat only, required there:
 *                                #     1 .. 1,000,000
 *       churn: 30m               #   cgnat only: mean time a device keeps its
 *                                #     address, duration > 0, default 30m
 *       ports: 64512             #   nat and cgnat only: ports per address,
 *                                #     1 .. 64512, default 64512
 *       sites: 40                #   nat only: users dealt in turn to this
 *                                #     many sites (1 .. 1,000,000), each
 *                                #     behind its own `addresses` (in all
 *                                #     at most 1,000,000 addresses)
 *       address-per: user        #   unique and nat, device traffic only:
 *                                #     user (default: a user's devices
 *                                #     share its address) or device
 *       address-plan:            #   optional: where the addresses come
 *         prefixes: [198.51.100.0/22] # from, drawn anew each replication
 *                                #     (same in every design): prefixes
 *                                #     (CIDR, IPv4 or IPv6, up to 4096),
 *         shape: random          #     shaped random (default: distinct
 *                                #     addresses), sequential (in order
 *                                #     from a random start), gateway (.1
 *                                #     of distinct /24s; IPv6 ::1 of
 *                                #     /64s) or site (nat: each site's
 *                                #     addresses from .1 of a /24 of its
 *                                #     own); or list: [ADDRESS, ...] (an
 *                                #     entry may add a weight: "ADDRESS
 *                                #     3"); or file: PATH (one address a
 *                                #     line, optional weight, # comments;
 *                                #     beside the scenario unless
 *                                #     absolute). Default: random over
 *                                #     the population's own /6 of IPv4
 *       clients: [mapi, owa]     #   device traffic: the workloads each user's
 *                                #     devices run, each named once; or
 *       rate: 0.1                #   open traffic: requests per second per
 *                                #     user (Poisson), > 0 and <= 1000;
 *                                #     exactly one of clients and rate
 *       workload: owa            #   open traffic only: the workload its
 *                                #     requests ask for, default owa
 *       tls13: 0.2               #   device traffic only: share of devices
 *                                #     (0 .. 1, default 0) whose TLS session
 *                                #     id is new on every connection
 *       profile:                 #   device traffic only, not with logon: the
 *         - { at: 0h, share: 0.1 } #   share of users logged on over time, at
 *         - { at: 8h, share: 1 }   #   increasing times from 0; straight lines
 *                                #     between points, flat after the last
 *                                #     (1 .. 48 points, shares 0 .. 1)
 *       logon: 30m               #   device traffic only: users log on
 *                                #     uniformly over [0, logon] (default 0),
 *                                #     less than warmup + duration
 *       client-settings:         #   device traffic only: this population's
 *         eas: {hold: 20m}       #     own client keys, by workload it runs
 *         owa: {share: 0.4}      #     (any key of clients: below), over the
 *                                #     scenario's clients:
 *       network: wan             #   optional: lan (default), wan or mobile:
 *                                #     the network its users reach the
 *                                #     balancer over, with its round trip and
 *                                #     jitter (README "Latency")
 *       rtt: 40ms                #   optional durations 0 .. 60s: its own
 *       jitter: 5ms              #     round trip, and the mean of the
 *                                #     exponential extra each round trip
 *                                #     takes, over the network's
 *       replay:                  #   instead of users and clients or rate:
 *         log: site.log          #     the requests of a log (IIS W3C or
 *                                #       HAProxy httplog, gzip or not; a
 *                                #       path from the scenario's folder),
 *                                #       each arriving as recorded, from
 *                                #       the client's address (see README
 *                                #       "Replaying a log"); required
 *         scale: 1               #     1 .. 1000: every user's requests k
 *                                #       times, the copies from fresh
 *                                #       addresses of the same shape
 *         demand: workload       #     CPU of a request: workload (default:
 *                                #       servers: workloads:) or
 *                                #       time-taken (the log's; a long
 *                                #       poll's is its hold)
 *         window: 1h             #     the longest time taken that keeps
 *                                #       arrival order (default 1h)
 *         on-error: fail         #     a malformed or late line: fail
 *                                #       (default) or skip (counted)
 *         format: auto           #     auto (default), iis or haproxy
 *         client-from: auto      #     auto, c-ip or x-forwarded-for
 *         capture: Host,User-Agent #   HAProxy: captured request headers
 *         user-header: X-User    #     HAProxy: the one naming the user
 *   clients:                     # optional, by workload name: how one device
 *     eas:                       #   of that kind behaves, for every
 *                                #   population (defaults and their sources:
 *                                #   models/workload.c, README "Client
 *                                #   defaults")
 *       connections: 1           #     kept open per device, 1 .. 64
 *       polls: 1                 #     of them, carrying a long poll the
 *                                #       server holds, 0 .. connections
 *       think: 20s               #     request connections: mean gap from an
 *                                #       answer to the next request
 *       hold: 30m                #     long poll: the heartbeat, the longest
 *                                #       the server holds it
 *       changes: 10m             #     long poll: mean time until a change
 *                                #       ends it early and a sync follows
 *                                #       (0: none)
 *       lifetime: 30m            #     mean connection lifetime
 *       tls-session: 5m          #     how long the client resumes its session
 *       backoff: 10s             #     mean delay before a retry or a
 *                                #       reconnection
 *       backoff-max: 5m          #     it doubles with each failure in a
 *                                #       row up to this (default: no growth)
 *       on-error: retry          #     after a failed request: retry (on the
 *                                #       same connection) or reconnect
 *       reconnect-after: 3       #     retry only: reconnect at every this
 *                                #       many failures in a row, 1 .. 1000
 *                                #       (default: never)
 *       share: 0.4               #     of a population's users, the share
 *                                #       that run it, 0 .. 1 (default 1)
 *       request-bytes: 800       #     0 .. 1,000,000,000
 *       response-bytes: 4000     #     0 .. 1,000,000,000
 *                                #     durations >= 0; request connections
 *                                #     need think > 0, polls need hold > 0
 *   designs:                     # required sequence of 1 .. 16 entries
 *     - name: l4                 #   required, 1 to 63 bytes, unique among
 *                                #     designs
 *       kind: l4                 #   required: l4, l4-multi or l7
 *       balance: source          #   optional, default roundrobin: a selection
 *                                #     algorithm of the balancer core; one
 *                                #     that needs layer-7 data (uri,
 *                                #     hdr(NAME)) needs kind l7
 *       hash-type: maglev        #   hashing algorithms (source, uri, hdr):
 *                                #     map-based (default), consistent or
 *                                #     maglev
 *       hash-function: murmur    #   hashing: murmur (default; profile
 *                                #     haproxy: sdbm), sdbm, djb2, none,
 *                                #     wt6, crc32
 *       avalanche: true          #   hashing: true or false (default)
 *       hash-balance-factor: 1.25 #  hash-type consistent: bounded load,
 *                                #     > 1 and <= 100
 *       table-size: 65537        #   hash-type maglev: a prime up to
 *                                #     16777216, default 65537
 *       ring-points: 100         #   hash-type consistent: points per unit
 *                                #     of weight 1 .. 1000; default by
 *                                #     profile: lbsim 100, haproxy 16,
 *                                #     nginx 160
 *       draws: 2                 #   balance random: choices per pick
 *                                #     1 .. 64, default 2
 *       profile: haproxy         #   hashing: whose hashing to reproduce,
 *                                #     server for server: lbsim (default),
 *                                #     haproxy, nginx or ipvs (layer 4)
 *       persist:                 #   optional, default none
 *         method: source-ip      #     required: source-ip, ssl-session-id or
 *                                #       cookie (layer 7: kind l7 only)
 *         netmask: 24            #     source-ip only: prefix 1 .. 32,
 *                                #       default 32
 *         size: 100000           #     entries 1 .. 100,000,000, default
 *                                #       100000
 *         expire: 30m            #     after last use, duration > 0,
 *                                #       default 30m
 *         full: lru              #     when full: lru (default: evict the
 *                                #       least recently used) or refuse
 *       check:                   #   optional health check
 *         kind: http             #     tcp, http (default) or deep
 *         path: /owa/healthcheck.htm #  http and deep on kind l4 only
 *                                #       (default /owa/healthcheck.htm):
 *                                #       l4-multi and l7 check each
 *                                #       workload's own page
 *         inter: 2s              #     durations > 0: between probes (default
 *         fastinter: 1s          #       2s), while the state changes and
 *         downinter: 10s         #       while down (default inter), and the
 *         timeout: 2s            #       probe timeout (default inter)
 *         rise: 2                #     successes to go up, 1 .. 100, default 2
 *         fall: 3                #     failures to go down, 1 .. 100,
 *                                #       default 3
 *         init: up               #     up (default), fully-up, down,
 *                                #       fully-down
 *       reencrypt: false         #   kind l7 only: TLS again to the servers
 *       timeout-queue: 5s        #   kind l7 only: the longest a request
 *                                #     waits for a server's slot
 *                                #     (maxconn), then it fails (503);
 *                                #     duration > 0, default 5s
 *       lb-cores: 4              #   optional 0 .. 1024: the balancer's cores,
 *                                #     for which every request, and again
 *                                #     its answer, then waits (default 0:
 *                                #     unlimited; CPU is counted, never
 *                                #     waited for)
 *       lb-queue: 10000          #   with lb-cores only: requests that may
 *                                #     wait for a core, more are refused;
 *                                #     1 .. 100,000,000, default 10000
 *       implementation: proxy    #   l4, l4-multi: proxy (default: a
 *                                #     user-space full proxy, HAProxy mode
 *                                #     tcp, KEMP or F5), kernel-nat or
 *                                #     kernel-dr (IPVS; the default with
 *                                #     hashing profile ipvs); l7: proxy only
 *       certificate: rsa-2048    #   l7 only: rsa-2048 (default) or
 *                                #     ecdsa-p256, the key its TLS serves
 *       cipher: aes-256-gcm      #   l7 only: aes-256-gcm (default),
 *                                #     aes-128-gcm or chacha20-poly1305
 *       http-reuse: safe         #   l7 only: safe (default), never or
 *                                #     always: HAProxy's reuse of idle
 *                                #     connections to the servers
 *       backend-rtt: 0.2ms       #   kind l7 only, duration 0 .. 60s (default
 *                                #     0.2ms): the balancer's round trip to
 *                                #     a server, paid to open a connection
 *                                #     to it (TCP, and TLS when
 *                                #     re-encrypting)
 *       cost-profile: haproxy    #   optional: the design's cost profile (a
 *                                #     built-in name, haproxy or ipvs, or a
 *                                #     file: a value with a '/' or ending
 *                                #     .yaml, relative to the scenario);
 *                                #     default the scenario's, else haproxy
 *                                #     for a proxy, ipvs for a kernel
 *       costs:                   #   optional overrides of single figures of
 *         tls-full-rsa-2048: 753us #   the profile, by figure name (README
 *         aes-256-gcm: 1.34ns    #     "Cost profiles"), only figures the
 *         conn-bytes: 2400       #     design reads: CPU per operation or
 *         backend-idle-timeout: 5s #   per byte as durations >= 0, to a
 *         mtu: 1460              #     fraction of a ns; memory and counts
 *                                #     as numbers >= 0; times as durations
 *                                #     >= 0; mtu 1 .. 65535
 *   faults:                      # optional sequence of up to 256 entries
 *     - at: 30m                  #   required duration from the start of the
 *                                #     run (warm-up included), less than
 *                                #     warmup + duration
 *       server: 3                #   required, from 1 to the servers' count
 *       kind: workload-down      #   down (the whole server), workload-down,
 *                                #     slow, auth-down (logons fail, the
 *                                #     health pages still answer 200),
 *                                #     store-down (the mailbox store fails
 *                                #     behind pages answering 200: only a
 *                                #     deep check sees these two), or the
 *                                #     operator's drain (no new connection
 *                                #     or session; those there finish) or
 *                                #     maint (no traffic, no checks; those
 *                                #     there finish); default
 *                                #     workload-down when a workload is
 *                                #     given, else down
 *       workload: eas            #   workload-down: required; store-down:
 *                                #     optional (default: every workload)
 *       factor: 4                #   slow only, required there: service
 *                                #     times multiplied, > 1 and <= 1000
 *       for: 15m                 #   optional duration > 0, then it recovers;
 *                                #     default: it never does
 *   cost-profile: haproxy        # optional: every design's cost profile
 *                                #   where the design names none (above)
 *   expect:                      # optional sequence of up to 256 entries,
 *     - design: l4-multi         #   judged by `lbsim check`: required, a
 *                                #     design's name
 *       metric: peak_to_mean     #   required, a summary metric of the scope
 *       scope: all               #   all (default), steady (the measured
 *                                #     time outside the faults and their
 *                                #     recovery), a workload a population
 *                                #     uses, or fault<N> (N from 1)
 *       min: 1                   #   at least one of min and max: finite
 *       max: 1.15                #     numbers, min <= max
 *
 * Durations are a number, whole or decimal, and a unit: ns, us, ms, s, m, h,
 * d ("250ms", "1.5s", "2h"); a space between them is allowed. Whole numbers
 * are written in decimal ("6000"; "1e3" is also read as 1000, except for
 * the seed, which takes digits only; no sign, no hexadecimal). Names may
 * hold any text without control characters (C1 ones and U+2028, U+2029
 * included), and a file may not hold U+0085, U+2028 or U+2029 at all:
 * YAML reads them as line breaks where editors do not, so every line
 * number after one would be off. Keys are case-sensitive; an unknown key
 * is an error,
 * never ignored, so a misspelt optional key cannot silently fall back to
 * its default; so is a key where it does not apply (churn on a nat source).
 * A file holds one YAML document of at most 4 MiB, nested at most 32
 * levels, with at most 100,000 values and 1,000 anchors and aliases; YAML
 * merge keys ("<<") are not supported.
 *
 * The keys of a selection algorithm (hash-type ... draws), of persistence
 * and of a health check take their ranges and defaults from the balancer
 * core, where each algorithm, method and kind declares its parameters
 * once (include/lbsim/lb_param.h); the loader, the core and --set share
 * that one rule. Any single value may also be changed from the command
 * line without editing the file: --set designs.l7.check.fall=5 runs what
 * the file with that value would run (see Sweeps).
 */
#include "scenario_internal.h"

#include <string.h>

#define STR(key, flags, type, member)                                         \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | (flags), type, member, \
			       0, CYAML_UNLIMITED)
#define OPT(key, type, member) STR(key, CYAML_FLAG_OPTIONAL, type, member)
#define REQ(key, type, member) STR(key, CYAML_FLAG_DEFAULT, type, member)

/* The keys of a mapping by workload, in enum workload order (test_scenario
 * loads a file that names every workload under each such mapping). */
#define BY_WORKLOAD(type, fields)                                              \
	CYAML_FIELD_MAPPING_PTR("owa", CYAML_FLAG_OPTIONAL, type, wl[WL_OWA], fields), \
	CYAML_FIELD_MAPPING_PTR("ecp", CYAML_FLAG_OPTIONAL, type, wl[WL_ECP], fields), \
	CYAML_FIELD_MAPPING_PTR("eas", CYAML_FLAG_OPTIONAL, type, wl[WL_EAS], fields), \
	CYAML_FIELD_MAPPING_PTR("ews", CYAML_FLAG_OPTIONAL, type, wl[WL_EWS], fields), \
	CYAML_FIELD_MAPPING_PTR("oa", CYAML_FLAG_OPTIONAL, type, wl[WL_OA], fields),   \
	CYAML_FIELD_MAPPING_PTR("mapi", CYAML_FLAG_OPTIONAL, type, wl[WL_MAPI], fields), \
	CYAML_FIELD_MAPPING_PTR("autodiscover", CYAML_FLAG_OPTIONAL, type,              \
				wl[WL_AUTODISCOVER], fields),                           \
	CYAML_FIELD_MAPPING_PTR("oab", CYAML_FLAG_OPTIONAL, type, wl[WL_OAB], fields)
_Static_assert(WL_COUNT == 8, "BY_WORKLOAD lists eight workloads");

static const cyaml_schema_field_t server_workload_fields[] = {
	OPT("demand", struct scn_raw_server_workload, demand),
	OPT("cv", struct scn_raw_server_workload, cv),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t server_workloads_fields[] = {
	BY_WORKLOAD(struct scn_raw_server_workloads, server_workload_fields),
	CYAML_FIELD_END,
};

/* One entry of servers: list:. */
static const cyaml_schema_field_t server_fields[] = {
	OPT("weight", struct scn_raw_server, weight),
	OPT("cores", struct scn_raw_server, cores),
	OPT("maxconn", struct scn_raw_server, maxconn),
	OPT("backup", struct scn_raw_server, backup),
	OPT("address", struct scn_raw_server, address),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t server_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_server, server_fields),
};

static const cyaml_schema_field_t servers_fields[] = {
	OPT("count", struct scn_raw_servers, count),
	OPT("cores", struct scn_raw_servers, cores),
	OPT("service", struct scn_raw_servers, service),
	OPT("affinity", struct scn_raw_servers, affinity),
	OPT("affinity-penalty", struct scn_raw_servers, affinity_penalty),
	CYAML_FIELD_MAPPING_PTR("workloads", CYAML_FLAG_OPTIONAL, struct scn_raw_servers,
				workloads, server_workloads_fields),
	OPT("address", struct scn_raw_servers, address),
	OPT("maxconn", struct scn_raw_servers, maxconn),
	/* The cap stops libcyaml at the limit rather than after a
	 * hostile file's millions of entries (see populations below). */
	CYAML_FIELD_SEQUENCE("list", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw_servers, list, &server_entry, 1, SCN_MAX_SERVERS),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t workload_name_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t profile_point_fields[] = {
	REQ("at", struct scn_raw_profile_point, at),
	REQ("share", struct scn_raw_profile_point, share),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t profile_point_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_profile_point, profile_point_fields),
};

static const cyaml_schema_value_t address_text_entry = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t address_plan_fields[] = {
	CYAML_FIELD_SEQUENCE("prefixes", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw_address_plan, prefixes, &address_text_entry, 1,
			     SCN_MAX_PLAN_LIST),
	OPT("shape", struct scn_raw_address_plan, shape),
	CYAML_FIELD_SEQUENCE("list", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw_address_plan, list, &address_text_entry, 1,
			     SCN_MAX_PLAN_LIST),
	OPT("file", struct scn_raw_address_plan, file),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t client_fields[] = {
	OPT("connections", struct scn_raw_client, connections),
	OPT("polls", struct scn_raw_client, polls),
	OPT("think", struct scn_raw_client, think),
	OPT("hold", struct scn_raw_client, hold),
	OPT("changes", struct scn_raw_client, changes),
	OPT("lifetime", struct scn_raw_client, lifetime),
	OPT("tls-session", struct scn_raw_client, tls_session),
	OPT("backoff", struct scn_raw_client, backoff),
	OPT("backoff-max", struct scn_raw_client, backoff_max),
	OPT("on-error", struct scn_raw_client, on_error),
	OPT("reconnect-after", struct scn_raw_client, reconnect_after),
	OPT("share", struct scn_raw_client, share),
	OPT("request-bytes", struct scn_raw_client, request_bytes),
	OPT("response-bytes", struct scn_raw_client, response_bytes),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t clients_fields[] = {
	BY_WORKLOAD(struct scn_raw_clients, client_fields),
	CYAML_FIELD_END,
};

/* A population's client-settings: the same keys by workload, a mapping of
 * its own so that messages can say whose settings they are. */
static const cyaml_schema_field_t client_settings_fields[] = {
	BY_WORKLOAD(struct scn_raw_clients, client_fields),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t replay_fields[] = {
	REQ("log", struct scn_raw_replay, log),
	OPT("scale", struct scn_raw_replay, scale),
	OPT("demand", struct scn_raw_replay, demand),
	OPT("window", struct scn_raw_replay, window),
	OPT("format", struct scn_raw_replay, format),
	OPT("on-error", struct scn_raw_replay, on_error),
	OPT("client-from", struct scn_raw_replay, client_from),
	OPT("capture", struct scn_raw_replay, capture),
	OPT("user-header", struct scn_raw_replay, user_header),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t population_fields[] = {
	REQ("name", struct scn_raw_population, name),
	/* Required unless the population replays a log (checked then). */
	OPT("users", struct scn_raw_population, users),
	OPT("source", struct scn_raw_population, source),
	OPT("addresses", struct scn_raw_population, addresses),
	OPT("churn", struct scn_raw_population, churn),
	OPT("ports", struct scn_raw_population, ports),
	OPT("sites", struct scn_raw_population, sites),
	OPT("address-per", struct scn_raw_population, address_per),
	CYAML_FIELD_MAPPING_PTR("address-plan", CYAML_FLAG_OPTIONAL, struct scn_raw_population,
				address_plan, address_plan_fields),
	CYAML_FIELD_SEQUENCE("clients", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw_population, clients, &workload_name_entry,
			     1, WL_COUNT),
	OPT("rate", struct scn_raw_population, rate),
	OPT("workload", struct scn_raw_population, workload),
	OPT("tls13", struct scn_raw_population, tls13),
	OPT("logon", struct scn_raw_population, logon),
	CYAML_FIELD_SEQUENCE("profile", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw_population, profile, &profile_point_entry, 1,
			     SCN_MAX_PROFILE),
	/* Client keys (issue 15): */
	CYAML_FIELD_MAPPING_PTR("client-settings", CYAML_FLAG_OPTIONAL, struct scn_raw_population,
				client_settings, client_settings_fields),
	OPT("network", struct scn_raw_population, network),
	OPT("rtt", struct scn_raw_population, rtt),
	OPT("jitter", struct scn_raw_population, jitter),
	/* Replay keys (issue 18): */
	CYAML_FIELD_MAPPING_PTR("replay", CYAML_FLAG_OPTIONAL, struct scn_raw_population,
				replay, replay_fields),
	CYAML_FIELD_END,
};


static const cyaml_schema_field_t persist_fields[] = {
	REQ("method", struct scn_raw_persist, method),
	OPT("netmask", struct scn_raw_persist, netmask),
	OPT("size", struct scn_raw_persist, size),
	OPT("expire", struct scn_raw_persist, expire),
	OPT("full", struct scn_raw_persist, full),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t check_fields[] = {
	OPT("kind", struct scn_raw_check, kind),
	OPT("path", struct scn_raw_check, path),
	OPT("inter", struct scn_raw_check, inter),
	OPT("fastinter", struct scn_raw_check, fastinter),
	OPT("downinter", struct scn_raw_check, downinter),
	OPT("timeout", struct scn_raw_check, timeout),
	OPT("rise", struct scn_raw_check, rise),
	OPT("fall", struct scn_raw_check, fall),
	OPT("init", struct scn_raw_check, init),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t costs_fields[] = {
#define COST_FIELD(id, key, kind, member) OPT(key, struct scn_raw_costs, v[COST_FIG_##id]),
	COST_FIGURES(COST_FIELD)
#undef COST_FIELD
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t design_fields[] = {
	REQ("name", struct scn_raw_design, name),
	REQ("kind", struct scn_raw_design, kind),
	OPT("balance", struct scn_raw_design, balance),
	OPT("hash-type", struct scn_raw_design, hash_type),
	OPT("hash-function", struct scn_raw_design, hash_function),
	OPT("avalanche", struct scn_raw_design, avalanche),
	OPT("hash-balance-factor", struct scn_raw_design, hash_balance_factor),
	OPT("table-size", struct scn_raw_design, table_size),
	OPT("ring-points", struct scn_raw_design, ring_points),
	OPT("draws", struct scn_raw_design, draws),
	/* Hashing keys of real balancers (issue 14): */
	OPT("profile", struct scn_raw_design, profile),
	CYAML_FIELD_MAPPING_PTR("persist", CYAML_FLAG_OPTIONAL, struct scn_raw_design,
				persist, persist_fields),
	CYAML_FIELD_MAPPING_PTR("check", CYAML_FLAG_OPTIONAL, struct scn_raw_design,
				check, check_fields),
	OPT("reencrypt", struct scn_raw_design, reencrypt),
	OPT("lb-cores", struct scn_raw_design, lb_cores),
	OPT("lb-queue", struct scn_raw_design, lb_queue),
	OPT("implementation", struct scn_raw_design, implementation),
	OPT("certificate", struct scn_raw_design, certificate),
	OPT("cipher", struct scn_raw_design, cipher),
	OPT("http-reuse", struct scn_raw_design, http_reuse),
	OPT("cost-profile", struct scn_raw_design, cost_profile),
	OPT("timeout-queue", struct scn_raw_design, timeout_queue),
	CYAML_FIELD_MAPPING_PTR("costs", CYAML_FLAG_OPTIONAL, struct scn_raw_design,
				costs, costs_fields),
	/* Latency keys (issue 15): */
	OPT("backend-rtt", struct scn_raw_design, backend_rtt),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t fault_fields[] = {
	REQ("at", struct scn_raw_fault, at),
	REQ("server", struct scn_raw_fault, server),
	OPT("kind", struct scn_raw_fault, kind),
	OPT("workload", struct scn_raw_fault, workload),
	OPT("factor", struct scn_raw_fault, factor),
	OPT("for", struct scn_raw_fault, for_),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t expect_fields[] = {
	REQ("design", struct scn_raw_expect, design),
	REQ("metric", struct scn_raw_expect, metric),
	OPT("scope", struct scn_raw_expect, scope),
	OPT("min", struct scn_raw_expect, min),
	OPT("max", struct scn_raw_expect, max),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t population_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_population,
			    population_fields),
};

static const cyaml_schema_value_t design_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_design, design_fields),
};

static const cyaml_schema_value_t fault_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_fault, fault_fields),
};

static const cyaml_schema_value_t expect_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_expect, expect_fields),
};

static const cyaml_schema_field_t scenario_fields[] = {
	REQ("name", struct scn_raw, name),
	REQ("duration", struct scn_raw, duration),
	OPT("warmup", struct scn_raw, warmup),
	OPT("seed", struct scn_raw, seed),
	OPT("replications", struct scn_raw, replications),
	CYAML_FIELD_MAPPING_PTR("servers", CYAML_FLAG_POINTER, struct scn_raw,
				servers, servers_fields),
	/* The caps matter to libcyaml itself: it grows a sequence one entry
	 * at a time (quadratic copying where realloc cannot extend in place,
	 * as under AddressSanitizer), so it must stop at the cap, not after
	 * reading a hundred thousand entries. */
	CYAML_FIELD_SEQUENCE("populations", CYAML_FLAG_POINTER, struct scn_raw,
			     populations, &population_entry, 1, SCN_MAX_POPULATIONS),
	CYAML_FIELD_MAPPING_PTR("clients", CYAML_FLAG_OPTIONAL, struct scn_raw,
				clients, clients_fields),
	CYAML_FIELD_SEQUENCE("designs", CYAML_FLAG_POINTER, struct scn_raw,
			     designs, &design_entry, 1, SCN_MAX_DESIGNS),
	CYAML_FIELD_SEQUENCE("faults", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw, faults, &fault_entry, 0, SCN_MAX_FAULTS),
	CYAML_FIELD_SEQUENCE("expect", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			     struct scn_raw, expect, &expect_entry, 0, SCN_MAX_EXPECTS),
	OPT("cost-profile", struct scn_raw, cost_profile),
	CYAML_FIELD_END,
};

const cyaml_schema_value_t scn_raw_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct scn_raw, scenario_fields),
};

static const struct {
	const cyaml_schema_field_t *fields;
	const char *noun;
} mapping_nouns[] = {
	{ scenario_fields, "the scenario" },
	{ servers_fields, "servers" },
	{ server_fields, "server" },
	{ server_workloads_fields, "servers workloads" },
	{ server_workload_fields, "server workload" },
	{ population_fields, "population" },
	{ address_plan_fields, "address-plan" },
	{ profile_point_fields, "profile point" },
	{ clients_fields, "clients" },
	{ client_settings_fields, "client-settings" },
	{ replay_fields, "replay" },
	{ client_fields, "client" },
	{ design_fields, "design" },
	{ persist_fields, "persist" },
	{ check_fields, "check" },
	{ costs_fields, "costs" },
	{ fault_fields, "fault" },
	{ expect_fields, "expect" },
};

/* What the value of a scalar key must be. Most keys mean the same kind of
 * value wherever they appear (every "name" is a name): those have no
 * mapping (NULL). "kind" differs by mapping, so those entries name theirs
 * and come first. */
static const struct {
	const cyaml_schema_field_t *fields;
	const char *key;
	const char *what;
} key_whats[] = {
	{ design_fields, "kind", "a kind (l4, l4-multi or l7)" },
	{ design_fields, "profile", "a hashing profile (lbsim, haproxy, nginx or ipvs)" },
	{ check_fields, "kind", "a check kind (tcp, http or deep)" },
	{ fault_fields, "kind", "a fault kind (down, workload-down, slow, auth-down, store-down, "
	  "drain or maint)" },
	{ replay_fields, "demand", "workload or time-taken" },
	{ replay_fields, "on-error", "fail or skip" },
	{ replay_fields, "format", "auto, iis or haproxy" },
	{ replay_fields, "scale", "a whole number" },
	{ replay_fields, "window", "a duration such as 1h" },
	{ replay_fields, "client-from", "auto, c-ip or x-forwarded-for" },
	{ replay_fields, "capture", "header names such as Host,User-Agent" },
	{ replay_fields, "user-header", "a header name" },
	{ replay_fields, "log", "a file name" },
	{ NULL, "name", "a name" },
	{ NULL, "address", "a server address and port such as 10.0.1.1:443" },
	{ NULL, "address-per", "user or device" },
	{ NULL, "sites", "a whole number" },
	{ NULL, "shape", "a shape (random, sequential, gateway or site)" },
	{ NULL, "file", "a file name" },
	{ NULL, "ring-points", "a whole number" },
	{ NULL, "duration", "a duration such as 1h" },
	{ NULL, "warmup", "a duration such as 10m" },
	{ NULL, "seed", "a whole number" },
	{ NULL, "replications", "a whole number" },
	{ NULL, "count", "a whole number" },
	{ NULL, "cores", "a whole number" },
	{ NULL, "weight", "a whole number" },
	{ NULL, "maxconn", "a whole number" },
	{ NULL, "backup", "true or false" },
	{ NULL, "timeout-queue", "a duration such as 5s" },
	{ NULL, "service", "a duration such as 20ms" },
	{ NULL, "affinity", "none or required" },
	{ NULL, "affinity-penalty", "a duration such as 30ms" },
	{ NULL, "demand", "a duration such as 8ms" },
	{ NULL, "cv", "a number such as 1" },
	{ NULL, "users", "a whole number" },
	{ NULL, "source", "a source (unique, nat or cgnat)" },
	{ NULL, "addresses", "a whole number" },
	{ NULL, "churn", "a duration such as 30m" },
	{ NULL, "ports", "a whole number" },
	{ NULL, "rate", "a number (requests per second per user)" },
	{ NULL, "workload", "a workload name such as owa" },
	{ NULL, "tls13", "a number from 0 to 1" },
	{ NULL, "logon", "a duration such as 30m" },
	{ NULL, "network", "a network (lan, wan or mobile)" },
	{ NULL, "rtt", "a duration such as 40ms" },
	{ NULL, "jitter", "a duration such as 5ms" },
	{ NULL, "backend-rtt", "a duration such as 0.2ms" },
	{ NULL, "at", "a duration such as 30m" },
	{ NULL, "share", "a number from 0 to 1" },
	{ NULL, "connections", "a whole number" },
	{ NULL, "polls", "a whole number" },
	{ NULL, "think", "a duration such as 10s" },
	{ NULL, "hold", "a duration such as 30m" },
	{ NULL, "changes", "a duration such as 10m" },
	{ NULL, "on-error", "retry or reconnect" },
	{ NULL, "backoff-max", "a duration such as 5m" },
	{ NULL, "reconnect-after", "a whole number" },
	{ NULL, "lifetime", "a duration such as 5m" },
	{ NULL, "tls-session", "a duration such as 5m" },
	{ NULL, "backoff", "a duration such as 10s" },
	{ NULL, "request-bytes", "a whole number" },
	{ NULL, "response-bytes", "a whole number" },
	{ NULL, "balance", "an algorithm name such as roundrobin" },
	{ NULL, "hash-type", "a hash type (map-based, consistent or maglev)" },
	{ NULL, "hash-function", "a hash function such as murmur" },
	{ NULL, "avalanche", "true or false" },
	{ NULL, "hash-balance-factor", "a number such as 1.25" },
	{ NULL, "table-size", "a whole number" },
	{ NULL, "ring-points", "a whole number" },
	{ NULL, "draws", "a whole number" },
	{ NULL, "method", "a persistence method such as source-ip" },
	{ NULL, "netmask", "a whole number" },
	{ NULL, "size", "a whole number" },
	{ NULL, "expire", "a duration such as 30m" },
	{ NULL, "full", "lru or refuse" },
	{ NULL, "path", "a path such as /owa/healthcheck.htm" },
	{ NULL, "inter", "a duration such as 2s" },
	{ NULL, "fastinter", "a duration such as 1s" },
	{ NULL, "downinter", "a duration such as 10s" },
	{ NULL, "timeout", "a duration such as 2s" },
	{ NULL, "rise", "a whole number" },
	{ NULL, "fall", "a whole number" },
	{ NULL, "init", "up, fully-up, down or fully-down" },
	{ NULL, "reencrypt", "true or false" },
	{ NULL, "lb-cores", "a whole number" },
	{ NULL, "lb-queue", "a whole number" },
	{ NULL, "implementation", "proxy, kernel-nat or kernel-dr" },
	{ NULL, "certificate", "rsa-2048 or ecdsa-p256" },
	{ NULL, "cipher", "aes-256-gcm, aes-128-gcm or chacha20-poly1305" },
	{ NULL, "http-reuse", "safe, never or always" },
	{ NULL, "cost-profile", "a cost profile's name (haproxy, ipvs) or a file" },
	{ NULL, "at", "a duration such as 30m" },
	{ NULL, "server", "a whole number" },
	{ NULL, "factor", "a number such as 4" },
	{ NULL, "for", "a duration such as 15m" },
	{ NULL, "design", "a design name" },
	{ NULL, "metric", "a metric name such as peak_to_mean" },
	{ NULL, "scope", "a scope (all, steady, a workload's name or fault<N>)" },
	{ NULL, "min", "a number" },
	{ NULL, "max", "a number" },
};

static const char *const cost_whats[] = {
	[COST_KIND_OP] = "a duration such as 753us",
	[COST_KIND_BYTE] = "a duration such as 1.34ns (per byte)",
	[COST_KIND_MEM] = "a number of bytes",
	[COST_KIND_COUNT] = "a whole number",
	[COST_KIND_TIME] = "a duration such as 5s",
};

const char *scn_schema_mapping_noun(const cyaml_schema_field_t *fields)
{
	for (size_t i = 0; i < sizeof mapping_nouns / sizeof mapping_nouns[0]; i++)
		if (mapping_nouns[i].fields == fields)
			return mapping_nouns[i].noun;
	return NULL;
}

const cyaml_schema_field_t *scn_schema_fields(const char *noun)
{
	for (size_t i = 0; i < sizeof mapping_nouns / sizeof mapping_nouns[0]; i++)
		if (strcmp(mapping_nouns[i].noun, noun) == 0)
			return mapping_nouns[i].fields;
	return NULL;
}

const char *scn_schema_key_what(const cyaml_schema_field_t *fields, const char *key)
{
	if (fields == costs_fields) {
		int f = cost_figure_find(key, strlen(key));
		if (f >= 0)
			return cost_whats[cost_figures[f].kind];
	}
	for (size_t i = 0; i < sizeof key_whats / sizeof key_whats[0]; i++)
		if ((!key_whats[i].fields || key_whats[i].fields == fields) &&
		    strcmp(key_whats[i].key, key) == 0)
			return key_whats[i].what;
	return "a single value";
}

const char *scn_schema_entries_what(const cyaml_schema_value_t *entry)
{
	if (entry == &address_text_entry)
		return "addresses or prefixes such as [198.51.100.0/24]";
	return entry == &workload_name_entry ? "workload names such as [mapi, owa]" : NULL;
}

const cyaml_schema_field_t *scn_schema_field(const cyaml_schema_field_t *fields,
					     const char *key, size_t len)
{
	for (; fields && fields->key; fields++)
		if (strlen(fields->key) == len && memcmp(fields->key, key, len) == 0)
			return fields;
	return NULL;
}

void scn_schema_keys(const cyaml_schema_field_t *fields, char *buf, size_t n)
{
	size_t used = 0;
	if (n == 0)
		return;
	buf[0] = '\0';
	for (; fields && fields->key && used + 1 < n; fields++) {
		size_t klen = strlen(fields->key);
		size_t sep = used ? 2 : 0;
		if (used + sep + klen + 1 > n)
			break;
		if (sep)
			memcpy(buf + used, ", ", 2);
		memcpy(buf + used + sep, fields->key, klen + 1);
		used += sep + klen;
	}
}
