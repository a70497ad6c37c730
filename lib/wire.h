/* wire.h - the two wire encodings: XML-RPC (requests parsed with xmlrpc-c,
 * responses encoded here exactly as xapi writes them: no whitespace between
 * tags, untyped strings, ints as strings) and JSON-RPC 1.0/2.0 (json-c).
 *
 * Owns: nothing beyond each call's buffers.
 */
#ifndef XD_WIRE_H
#define XD_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "strbuf.h"
#include "value.h"

/* ---- XML-RPC ---- */

/* Parses a methodCall. On success returns 0 with *method (heap) and *params
 * (an XD_V_ARRAY). XML-RPC ints (i4, int, i8) become XD_V_INT, untyped and
 * <string> values XD_V_STRING, <nil/> XD_V_NIL, dateTime.iso8601
 * XD_V_DATETIME. On malformed input returns -1 and a message in *why (heap). */
int xd_xmlrpc_parse_call(const char *body, size_t len, char **method, xd_value **params,
			 char **why);
/* Appends <value>...</value> for v, as xapi does: XD_V_INT as an untyped
 * decimal string, XD_V_STRING untyped and escaped, bool <boolean>0|1</boolean>,
 * float <double>%.16g</double>, datetime <dateTime.iso8601>, arrays, structs. */
void xd_xmlrpc_encode_value(xd_strbuf *sb, const xd_value *v);
/* A whole methodResponse with {Status: Success, Value: v}. */
void xd_xmlrpc_encode_success(xd_strbuf *sb, const xd_value *v);
/* A whole methodResponse with {Status: Failure, ErrorDescription: [...]}. */
void xd_xmlrpc_encode_failure(xd_strbuf *sb, const xd_error *err);
/* A whole methodResponse whose param is v itself (system.listMethods). */
void xd_xmlrpc_encode_raw(xd_strbuf *sb, const xd_value *v);
/* Parses a methodResponse (for the CLI and tests): returns 0 and the value. */
int xd_xmlrpc_parse_response(const char *body, size_t len, xd_value **out, char **why);

/* ---- JSON ---- */

/* JSON text <-> value. JSON integers become XD_V_INT, other numbers
 * XD_V_FLOAT. Encoding: XD_V_INT as a JSON number, datetime as a string in
 * xapi format. */
int xd_json_parse(const char *text, size_t len, xd_value **out, char **why);
void xd_json_encode_value(xd_strbuf *sb, const xd_value *v);

/* A JSON-RPC request: method, params (XD_V_ARRAY, taken by the caller), id
 * (kept as JSON text to echo it back exactly), version 1 or 2. A request
 * without an id is refused (-1, *why). */
typedef struct xd_jsonrpc_req {
	char *method;
	xd_value *params;
	char *id_json;
	int version;
} xd_jsonrpc_req;
int xd_jsonrpc_parse_request(const char *body, size_t len, xd_jsonrpc_req *req, char **why);
void xd_jsonrpc_req_clear(xd_jsonrpc_req *req);
void xd_jsonrpc_encode_success(xd_strbuf *sb, const xd_jsonrpc_req *req, const xd_value *v);
void xd_jsonrpc_encode_failure(xd_strbuf *sb, const xd_jsonrpc_req *req, const xd_error *err);

/* Decodes base64 (whitespace ignored, padding optional) into a string
 * value; NULL if it is not base64 or holds a NUL byte. (XML-RPC's
 * <base64>, HTTP Basic credentials.) */
xd_value *xd_base64_decode(const char *s);

#endif
