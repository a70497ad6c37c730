/* plugin_proto.h - the wire between xapid and a plugin worker
 * (xapid-plugin-worker), shared by both sides.
 *
 * One message is a 4-byte big-endian length followed by that many bytes of
 * JSON (one object whose "t" member names its type). Messages, by direction:
 *
 *   core -> worker:  init   {settings: {k: v}}               once, first
 *                    call   {op, sr, device_config, sm_config, location,
 *                            want, size, writable}           one storage op
 *                    call   {op, net: {bridge, ifname...}}   one network op
 *                    cancel {}                                the task was cancelled
 *                    bye    {}                                finish (fini, exit 0)
 *   worker -> core:  hello  {ok: true, desc: {...}, warnings: [..]}
 *                           {ok: false, reason: "..."}        after init
 *                    log    {level, msg}                      host->logv
 *                    progress {v}                             host->progress
 *                    sr / vdi / pif {fields}                  host->emit_*
 *                    ds_declare {..} / ds_sample {..}         metrics
 *                    done   {status, err: {code, n, msg}}     end of a call
 *                           (+ caps: the network probe's answer)
 *
 * The end of the stream (EOF) means the other side is gone: the core then
 * reaps the worker and reports how it died.
 *
 * Owns: nothing global; an xd_pp_reader owns its buffer.
 */
#ifndef XD_PLUGIN_PROTO_H
#define XD_PLUGIN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* A message larger than this is a protocol error (a runaway plugin). */
#define XD_PP_MAX_MSG ((size_t)16 << 20)

/* The fd number the worker finds its end of the socketpair at. */
#define XD_PP_WORKER_FD 3
/* ... and the plugin's .so, opened by xapid (plugin_file.h), if it was
 * given `--so-fd 4`. */
#define XD_PP_WORKER_SO_FD 4

/* Sends msg (borrowed). Returns 0, or -1 (errno set; EPIPE: the peer is gone). */
int xd_pp_send(int fd, json_object *msg);

/* Buffered reading of messages from a stream that may deliver them in
 * pieces. */
typedef struct xd_pp_reader {
	char *buf;
	size_t len, cap;
} xd_pp_reader;

void xd_pp_reader_free(xd_pp_reader *r);

typedef enum {
	XD_PP_MSG = 1,       /* *out holds a message (caller puts it) */
	XD_PP_TIMEOUT = 0,   /* nothing complete arrived in time */
	XD_PP_EOF = -1,      /* the peer closed (or the fd failed) */
	XD_PP_BAD = -2,      /* the stream is not our protocol */
} xd_pp_status;

/* A complete message already buffered, without reading: XD_PP_MSG,
 * XD_PP_TIMEOUT (none yet) or XD_PP_BAD. */
xd_pp_status xd_pp_take(xd_pp_reader *r, json_object **out);
/* The next message: waits up to timeout_ms (negative: forever; 0: only what
 * is ready now) for the bytes of one complete message. */
xd_pp_status xd_pp_recv(int fd, xd_pp_reader *r, int timeout_ms, json_object **out);

/* Small accessors for message members (NULL / dflt when absent or of
 * another type). */
const char *xd_pp_str(json_object *o, const char *key);
int64_t xd_pp_int(json_object *o, const char *key, int64_t dflt);
double xd_pp_double(json_object *o, const char *key, double dflt);
json_object *xd_pp_obj(json_object *o, const char *key);   /* a json object */
json_object *xd_pp_arr(json_object *o, const char *key);   /* a json array */
/* A new message {"t": type}. */
json_object *xd_pp_new(const char *type);
/* Adds a string member, or nothing when s is NULL. */
void xd_pp_add_str(json_object *o, const char *key, const char *s);

/* The storage ops, in the order of struct xapi_sr_ops and of xd_sr_op
 * (plugins.h): the names on the wire and in error messages. */
#define XD_PP_SR_NOPS 16
extern const char *const xd_pp_sr_op_names[XD_PP_SR_NOPS];
/* Index of an op name, or -1. */
int xd_pp_sr_op_index(const char *name);

/* The network ops, in the order of struct xapi_net_ops and of xd_net_op
 * (plugins.h). */
#define XD_PP_NET_NOPS 17
extern const char *const xd_pp_net_op_names[XD_PP_NET_NOPS];
int xd_pp_net_op_index(const char *name);

#endif
