package inference

import "encoding/json"

// Parameters is the free-form "parameters" object the v2 protocol allows on
// requests, inputs and outputs.
type Parameters map[string]any

// Bool reports whether key is present and set to JSON true.
func (p Parameters) Bool(key string) bool {
	v, ok := p[key].(bool)
	return ok && v
}

// Parameter names the servers understand.
const (
	// ParamRaw on a requested output asks for the tensor's raw integer
	// values instead of dequantized floats.
	ParamRaw = "raw"
	// ParamRawOutputs on the request asks for raw values on every output.
	ParamRawOutputs = "raw_outputs"
	// ParamCached on a response tells that the memoization cache answered.
	ParamCached = "cached"
)

// LiveResponse is the body of GET /v2/health/live.
type LiveResponse struct {
	Live bool `json:"live"`
}

// ReadyResponse is the body of GET /v2/health/ready.
type ReadyResponse struct {
	Ready bool `json:"ready"`
	// Reason says why the server is not ready (an extension field).
	Reason string `json:"reason,omitempty"`
}

// ModelReadyResponse is the body of GET /v2/models/{name}[/versions/{v}]/ready.
type ModelReadyResponse struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Ready   bool   `json:"ready"`
}

// ServerMetadata is the body of GET /v2.
type ServerMetadata struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Extensions []string `json:"extensions"`
}

// ModelMetadata is the body of GET /v2/models/{name}[/versions/{v}].
type ModelMetadata struct {
	Name     string           `json:"name"`
	Versions []string         `json:"versions,omitempty"`
	Platform string           `json:"platform"`
	Inputs   []TensorMetadata `json:"inputs"`
	Outputs  []TensorMetadata `json:"outputs"`
	// SHA256 identifies the exact model blob (an extension field).
	SHA256 string `json:"sha256,omitempty"`
}

// TensorMetadata describes one model input or output.
type TensorMetadata struct {
	Name     string  `json:"name"`
	Datatype string  `json:"datatype"`
	Shape    []int64 `json:"shape"`
	// Quantization is set on quantized tensors (an extension field), so
	// clients that send raw values know the parameters.
	Quantization *Quantization `json:"quantization,omitempty"`
}

// Quantization holds a tensor's affine quantization: real = scale * (q - zero_point).
type Quantization struct {
	Scale     float32 `json:"scale"`
	ZeroPoint int32   `json:"zero_point"`
}

// InferRequest is the body of POST /v2/models/{name}[/versions/{v}]/infer.
type InferRequest struct {
	ID         string            `json:"id,omitempty"`
	Parameters Parameters        `json:"parameters,omitempty"`
	Inputs     []InferInput      `json:"inputs"`
	Outputs    []RequestedOutput `json:"outputs,omitempty"`
}

// InferInput is one input tensor of an InferRequest. Data is a flat or
// nested JSON array of numbers (or booleans for BOOL) in row-major order.
type InferInput struct {
	Name       string          `json:"name"`
	Shape      []int64         `json:"shape"`
	Datatype   string          `json:"datatype"`
	Parameters Parameters      `json:"parameters,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// RequestedOutput selects an output to return and how.
type RequestedOutput struct {
	Name       string     `json:"name"`
	Parameters Parameters `json:"parameters,omitempty"`
}

// InferResponse is the answer to an InferRequest. ModelVersion is the
// version that actually served the request.
type InferResponse struct {
	ModelName    string        `json:"model_name"`
	ModelVersion string        `json:"model_version"`
	ID           string        `json:"id,omitempty"`
	Parameters   Parameters    `json:"parameters,omitempty"`
	Outputs      []InferOutput `json:"outputs"`
}

// InferOutput is one output tensor of an InferResponse; Data is a flat JSON
// array in row-major order.
type InferOutput struct {
	Name       string          `json:"name"`
	Shape      []int64         `json:"shape"`
	Datatype   string          `json:"datatype"`
	Parameters Parameters      `json:"parameters,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// ErrorResponse is the body of every error answer on both protocols. The
// optional fields name what failed so clients need not parse the message.
type ErrorResponse struct {
	Error    string `json:"error"`
	Input    string `json:"input,omitempty"`
	Field    string `json:"field,omitempty"`
	Expected string `json:"expected,omitempty"`
	Got      string `json:"got,omitempty"`
}
