// Package api is the agent's local HTTP API (echo): the Open Inference
// Protocol v2 (KServe/Triton REST) and TF Serving REST inference routes,
// health and metadata, Prometheus metrics on GET /metrics, and the admin
// routes of package install mounted under /admin/v1/.
//
// Routes:
//
//	GET  /v2                                          server metadata
//	GET  /v2/health/live | /v2/health/ready
//	GET  /v2/models/{name}[/versions/{v}]             model metadata
//	GET  /v2/models/{name}[/versions/{v}]/ready
//	POST /v2/models/{name}[/versions/{v}]/infer
//	GET  /v1/models/{name}[/versions/{v}]             TF Serving model status
//	POST /v1/models/{name}[/versions/{v}]:predict     TF Serving predict (instances or inputs)
//	GET  /metrics
//	*    /admin/v1/...                                 install's admin handler
//
// Value conventions (float vs raw quantized values) are those of package
// proto/inference. Errors are JSON inference.ErrorResponse bodies: 400 for a
// request that does not fit the model (naming the input, what was expected
// and what came), 404 for an unknown model or inactive version, 413 for an
// oversized body, 429 with Retry-After when the model's queue is full, 503
// when a model is installed but has no active version or a request timed
// out, 500 when the interpreter fails.
//
// POST .../infer is the hot path and is built not to allocate per request
// beyond what net/http and the runtime need: bodies are decoded by
// inference.DecodeInferRequest into pooled per-request buffers
// (scratch.go), the answer is written by hand into a pooled buffer
// (encode.go), the request timeout arms no timer unless a request has to
// wait (deadline.go), routes are wrapped once at start-up rather than by
// per-request echo middleware (middleware.go), and metrics series are
// resolved once per label set (metrics.go). BenchmarkInferOverhead and
// BenchmarkInferHandler* measure it.
package api
