package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/proto/inference"
)

const predictSuffix = ":predict"

func (s *Server) modelStatus(c echo.Context) error {
	name := c.Param("name")
	h, err := s.opts.Runtime.Acquire(name, c.Param("version"))
	if err != nil {
		return s.fail(c, name, err)
	}
	defer h.Release()
	return c.JSON(http.StatusOK, inference.ModelStatusResponse{ModelVersionStatus: []inference.ModelVersionStatus{{
		Version: h.Info().Version,
		State:   inference.StateAvailable,
		Status:  inference.Status{ErrorCode: "OK"},
	}}})
}

// predictTarget splits "/v1/models/{name}[/versions/{v}]:predict" as echo
// routed it: the method suffix sits on the last parameter.
func predictTarget(c echo.Context) (name, version string, err error) {
	name, version = c.Param("name"), c.Param("version")
	last := &name
	if version != "" {
		last = &version
	}
	base, ok := strings.CutSuffix(*last, predictSuffix)
	if !ok {
		return name, version, &notFound{msg: fmt.Sprintf("no route %s %s: the TF Serving API supports only :predict", c.Request().Method, c.Request().URL.Path)}
	}
	*last = base
	return name, version, nil
}

func (s *Server) predict(c echo.Context) error {
	name, version, err := predictTarget(c)
	if err != nil {
		return s.fail(c, "", err)
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return s.fail(c, name, fmt.Errorf("read request body: %w", err))
	}
	var req inference.PredictRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return s.fail(c, name, badRequestf("request body is not a TF Serving predict request: %v", err))
	}
	rows := len(req.Instances) > 0
	if rows == (len(req.Inputs) > 0) {
		return s.fail(c, name, badRequestf(`predict request needs exactly one of "instances" (row format) and "inputs" (columnar format)`))
	}
	h, err := s.opts.Runtime.Acquire(name, version)
	if err != nil {
		return s.fail(c, name, err)
	}
	defer h.Release()
	info := h.Info()

	var inputs [][]byte
	if rows {
		inputs, err = rowInputs(info, req.Instances)
	} else {
		inputs, err = columnInputs(info, req.Inputs)
	}
	if err != nil {
		return s.fail(c, name, err)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.opts.RequestTimeout)
	defer cancel()
	res, err := h.Infer(ctx, inputs)
	if err != nil {
		return s.fail(c, name, err)
	}
	resp := inference.PredictResponse{ModelVersion: info.Version}
	if rows {
		resp.Predictions, err = rowOutputs(info, res.Outputs)
	} else {
		resp.Outputs, err = columnOutputs(info, res.Outputs)
	}
	if err != nil {
		return s.fail(c, name, err)
	}
	c.Response().Header().Set(versionHeader, info.Version)
	return c.JSON(http.StatusOK, resp)
}

// isObject reports whether raw JSON is an object.
func isObject(raw []byte) bool {
	t := bytes.TrimLeft(raw, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// namedValues splits a JSON object keyed by input name, requiring exactly
// the model's inputs.
func namedValues(info runtime.Info, raw []byte, where string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, badRequestf("%s: %v", where, err)
	}
	names := make([]string, len(info.Inputs))
	for i, spec := range info.Inputs {
		names[i] = spec.Name
		if _, ok := m[spec.Name]; !ok {
			return nil, &inference.InputError{Input: spec.Name, Field: "name", Expected: fmt.Sprintf("input %q in %s (the model takes %q)", spec.Name, where, names), Got: "no such key"}
		}
	}
	for k := range m {
		if !slices.Contains(names, k) {
			return nil, &inference.InputError{Input: k, Field: "name", Expected: fmt.Sprintf("one of the model's inputs %q", names), Got: fmt.Sprintf("%q", k)}
		}
	}
	return m, nil
}

// parseValue parses one JSON value for spec and requires its nesting to
// be shape.
func parseValue(spec inference.TensorSpec, raw []byte, shape []int) ([]float64, error) {
	values, got, err := inference.ParseArray(raw)
	if err != nil {
		return nil, &inference.InputError{Input: spec.Name, Field: "data", Expected: "a JSON number or nested array of numbers", Got: err.Error()}
	}
	if !slices.Equal(got, shape) {
		return nil, &inference.InputError{Input: spec.Name, Field: "shape", Expected: fmt.Sprint(shape), Got: fmt.Sprint(got)}
	}
	return values, nil
}

// columnInputs reads the columnar format: the whole tensor for a
// one-input model, or an object keyed by input name.
func columnInputs(info runtime.Info, raw json.RawMessage) ([][]byte, error) {
	values := make([]json.RawMessage, len(info.Inputs))
	if isObject(raw) {
		m, err := namedValues(info, raw, `"inputs"`)
		if err != nil {
			return nil, err
		}
		for i, spec := range info.Inputs {
			values[i] = m[spec.Name]
		}
	} else {
		if len(info.Inputs) != 1 {
			return nil, badRequestf(`the model has %d inputs: "inputs" must be an object keyed by input name`, len(info.Inputs))
		}
		values[0] = raw
	}
	out := make([][]byte, len(info.Inputs))
	for i, spec := range info.Inputs {
		vals, err := parseValue(spec, values[i], spec.Shape)
		if err != nil {
			return nil, err
		}
		if out[i], err = spec.Encode(vals, spec.DefaultDatatype()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// rowInputs reads the row format: a list with one entry per batch element
// (the tensors' first dimension), each the input's value for a one-input
// model or an object keyed by input name.
func rowInputs(info runtime.Info, raw json.RawMessage) ([][]byte, error) {
	var instances []json.RawMessage
	if err := json.Unmarshal(raw, &instances); err != nil {
		return nil, badRequestf(`"instances" must be a JSON list: %v`, err)
	}
	out := make([][]byte, len(info.Inputs))
	for i, spec := range info.Inputs {
		if len(spec.Shape) == 0 || spec.Shape[0] != len(instances) {
			return nil, &inference.InputError{Input: spec.Name, Field: "instances", Expected: fmt.Sprintf("%s instances (the first dimension of shape %v)", batchOf(spec), spec.Shape), Got: fmt.Sprint(len(instances))}
		}
		var all []float64
		for k, inst := range instances {
			value := inst
			if isObject(inst) {
				m, err := namedValues(info, inst, fmt.Sprintf("instances[%d]", k))
				if err != nil {
					return nil, err
				}
				value = m[spec.Name]
			} else if len(info.Inputs) != 1 {
				return nil, badRequestf("instances[%d]: the model has %d inputs, so each instance must be an object keyed by input name", k, len(info.Inputs))
			}
			vals, err := parseValue(spec, value, spec.Shape[1:])
			if err != nil {
				return nil, err
			}
			all = append(all, vals...)
		}
		var err error
		if out[i], err = spec.Encode(all, spec.DefaultDatatype()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func batchOf(spec inference.TensorSpec) string {
	if len(spec.Shape) == 0 {
		return "no"
	}
	return fmt.Sprint(spec.Shape[0])
}

// columnOutputs writes the columnar answer: the tensor for a one-output
// model, an object keyed by output name otherwise.
func columnOutputs(info runtime.Info, outs [][]byte) (json.RawMessage, error) {
	if len(info.Outputs) == 1 {
		return info.Outputs[0].AppendJSON(nil, outs[0], false, info.Outputs[0].Shape)
	}
	buf := []byte{'{'}
	for i, spec := range info.Outputs {
		if i > 0 {
			buf = append(buf, ',')
		}
		key, _ := json.Marshal(spec.Name)
		buf = append(append(buf, key...), ':')
		var err error
		if buf, err = spec.AppendJSON(buf, outs[i], false, spec.Shape); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// rowOutputs writes the row answer: one entry per batch element, the
// output's row for a one-output model or an object keyed by output name.
func rowOutputs(info runtime.Info, outs [][]byte) (json.RawMessage, error) {
	if len(info.Outputs) == 1 {
		return info.Outputs[0].AppendJSON(nil, outs[0], false, info.Outputs[0].Shape)
	}
	batch := -1
	for _, spec := range info.Outputs {
		if len(spec.Shape) == 0 || (batch >= 0 && spec.Shape[0] != batch) {
			return nil, fmt.Errorf("outputs do not share a first (batch) dimension; use the columnar \"inputs\" format")
		}
		batch = spec.Shape[0]
	}
	buf := []byte{'['}
	for row := range batch {
		if row > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '{')
		for i, spec := range info.Outputs {
			if i > 0 {
				buf = append(buf, ',')
			}
			key, _ := json.Marshal(spec.Name)
			buf = append(append(buf, key...), ':')
			n := len(outs[i]) / batch
			var err error
			if buf, err = spec.AppendJSON(buf, outs[i][row*n:(row+1)*n], false, spec.Shape[1:]); err != nil {
				return nil, err
			}
		}
		buf = append(buf, '}')
	}
	return append(buf, ']'), nil
}
