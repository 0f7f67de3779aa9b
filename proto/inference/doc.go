// Package inference holds the JSON request and response shapes of the
// inference APIs that both the agent's local API and the control plane's
// cloud endpoint serve, and the codec that turns their JSON numbers into
// tensor bytes and back, so that both sides validate, quantize and
// dequantize identically.
//
// Two protocols are modelled:
//
//   - the Open Inference Protocol v2 (KServe / Triton REST): InferRequest,
//     InferResponse, ModelMetadata, readiness documents;
//   - the TensorFlow Serving REST API: PredictRequest, PredictResponse,
//     ModelStatusResponse.
//
// Value conventions, the same on both protocols: clients send real numbers
// by default and the server quantizes them with the input tensor's scale
// and zero point (round half away from zero, then clamp), as TFLite's
// QUANTIZE op does. A v2 input whose datatype is the tensor's own integer
// type (INT8 for an int8 tensor) carries already-quantized values. Outputs
// of quantized tensors are dequantized to FP32 unless the request asks for
// raw values: per output with `"parameters": {"raw": true}` or for every
// output with the request-level `"parameters": {"raw_outputs": true}`.
package inference
