/* fuzz_plugin_proto.c - a libFuzzer target for the plugin wire decoder
 * (core/loader/plugin_proto.c): the byte stream a plugin worker sends the
 * core (length-prefixed JSON messages), which a crashing or hostile plugin
 * controls. Every message is taken apart with the accessors the core uses
 * on hello, log, progress, sr, vdi, pif, ds_* and done. Seeds: tests/fuzz/
 * corpus/plugin_proto. Built and run by tests/fuzz/run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader/plugin_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void take_apart(json_object *m)
{
	static const char *const strs[] = { "t", "msg", "reason", "location", "uuid", "name",
					    "device", "MAC", "units", NULL };
	static const char *const ints[] = { "level", "status", "virtual_size", "physical_size",
					    "physical_utilisation", "MTU", NULL };
	json_object *err = xd_pp_obj(m, "err"), *desc = xd_pp_obj(m, "desc");

	for (size_t i = 0; strs[i]; i++)
		(void)xd_pp_str(m, strs[i]);
	for (size_t i = 0; ints[i]; i++)
		(void)xd_pp_int(m, ints[i], -1);
	(void)xd_pp_double(m, "v", 0.0);
	(void)xd_pp_double(m, "min", 0.0);
	if (err) {
		(void)xd_pp_int(err, "code", 0);
		(void)xd_pp_int(err, "n", 0);
		(void)xd_pp_str(err, "msg");
	}
	if (desc) {
		(void)xd_pp_str(desc, "name");
		json_object *caps = xd_pp_arr(desc, "caps");
		for (size_t i = 0; caps && i < json_object_array_length(caps); i++)
			(void)json_object_get_string(json_object_array_get_idx(caps, i));
	}
	json_object *sm = xd_pp_obj(m, "sm_config");
	if (sm) {
		json_object_object_foreach(sm, k, v) {
			(void)k;
			(void)json_object_get_string(v);
		}
	}
	const char *op = xd_pp_str(m, "op");
	if (op) {
		(void)xd_pp_sr_op_index(op);
		(void)xd_pp_net_op_index(op);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xd_pp_reader r = { 0 };
	json_object *m;

	/* the reader's buffer as if these bytes had arrived from the worker */
	r.buf = malloc(size ? size : 1);
	if (!r.buf)
		abort();
	memcpy(r.buf, data, size);
	r.len = r.cap = size;
	while (xd_pp_take(&r, &m) == XD_PP_MSG) {
		take_apart(m);
		json_object_put(m);
	}
	xd_pp_reader_free(&r);
	return 0;
}
