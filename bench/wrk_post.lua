-- wrk_post.lua - wrk posts the same request body on every call.
-- BENCH_BODY_FILE: the file with the body; BENCH_CONTENT_TYPE: its type
-- (default text/xml). Used by bench/rpc_throughput.py.
local f = assert(io.open(os.getenv("BENCH_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "text/xml"
