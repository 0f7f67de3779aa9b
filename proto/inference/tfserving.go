package inference

import "encoding/json"

// PredictRequest is the body of TF Serving's
// POST /v1/models/{name}[/versions/{v}]:predict. Exactly one of Instances
// (row format: one entry per batch element, an object keyed by input name
// when the model has several inputs) and Inputs (columnar format: the whole
// tensor, or an object keyed by input name) is set.
type PredictRequest struct {
	SignatureName string          `json:"signature_name,omitempty"`
	Instances     json.RawMessage `json:"instances,omitempty"`
	Inputs        json.RawMessage `json:"inputs,omitempty"`
}

// PredictResponse answers a PredictRequest: Predictions for row-format
// requests, Outputs for columnar ones. ModelVersion (an extension to TF
// Serving's shape) names the version that served the request.
type PredictResponse struct {
	Predictions  json.RawMessage `json:"predictions,omitempty"`
	Outputs      json.RawMessage `json:"outputs,omitempty"`
	ModelVersion string          `json:"model_version"`
}

// ModelStatusResponse is the body of TF Serving's GET /v1/models/{name}.
type ModelStatusResponse struct {
	ModelVersionStatus []ModelVersionStatus `json:"model_version_status"`
}

// ModelVersionStatus is the state of one model version.
type ModelVersionStatus struct {
	Version string `json:"version"`
	// State is one of the TF Serving states; the agent reports AVAILABLE
	// for the active version.
	State  string `json:"state"`
	Status Status `json:"status"`
}

// Status is TF Serving's error status of a model version.
type Status struct {
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
}

// StateAvailable is the TF Serving state of a version that serves requests.
const StateAvailable = "AVAILABLE"
