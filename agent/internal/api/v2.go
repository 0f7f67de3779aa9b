package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/edgefleet/edgefleet/agent/internal/runtime"
	"github.com/edgefleet/edgefleet/proto/inference"
)

// versionHeader carries the serving version on every inference answer, for
// clients that do not parse bodies.
const versionHeader = "Edgefleet-Model-Version"

func metadataOf(info runtime.Info) inference.ModelMetadata {
	md := inference.ModelMetadata{
		Name:     info.Name,
		Versions: []string{info.Version},
		Platform: "tflite",
		SHA256:   info.SHA256,
		Inputs:   make([]inference.TensorMetadata, len(info.Inputs)),
		Outputs:  make([]inference.TensorMetadata, len(info.Outputs)),
	}
	for i, t := range info.Inputs {
		md.Inputs[i] = t.Metadata()
	}
	for i, t := range info.Outputs {
		md.Outputs[i] = t.Metadata()
	}
	return md
}

func (s *Server) modelMetadata(c echo.Context) error {
	name := c.Param("name")
	h, err := s.opts.Runtime.Acquire(name, c.Param("version"))
	if err != nil {
		return s.fail(c, name, err)
	}
	defer h.Release()
	return c.JSON(http.StatusOK, metadataOf(h.Info()))
}

func (s *Server) modelReady(c echo.Context) error {
	name, version := c.Param("name"), c.Param("version")
	h, err := s.opts.Runtime.Acquire(name, version)
	if err != nil {
		return s.fail(c, name, err)
	}
	defer h.Release()
	return c.JSON(http.StatusOK, inference.ModelReadyResponse{Name: name, Version: h.Info().Version, Ready: true})
}

func (s *Server) infer(c echo.Context) error {
	name := c.Param("name")
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return s.fail(c, name, fmt.Errorf("read request body: %w", err))
	}
	var req inference.InferRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return s.fail(c, name, badRequestf("request body is not a v2 infer request: %v", err))
	}
	h, err := s.opts.Runtime.Acquire(name, c.Param("version"))
	if err != nil {
		return s.fail(c, name, err)
	}
	defer h.Release()
	info := h.Info()

	inputs, err := v2Inputs(info, req.Inputs)
	if err != nil {
		return s.fail(c, name, err)
	}
	selected, raws, err := v2Outputs(info, req)
	if err != nil {
		return s.fail(c, name, err)
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.opts.RequestTimeout)
	defer cancel()
	res, err := h.Infer(ctx, inputs)
	if err != nil {
		return s.fail(c, name, err)
	}
	resp := inference.InferResponse{ModelName: info.Name, ModelVersion: info.Version, ID: req.ID, Outputs: make([]inference.InferOutput, 0, len(selected))}
	size := 128
	for j, i := range selected {
		spec := info.Outputs[i]
		data, err := spec.AppendJSON(nil, res.Outputs[i], raws[j], nil)
		if err != nil {
			return s.fail(c, name, err)
		}
		size += len(data) + 64
		resp.Outputs = append(resp.Outputs, inference.InferOutput{Name: spec.Name, Shape: spec.Shape64(), Datatype: spec.OutputDatatype(raws[j]), Data: data})
	}
	c.Response().Header().Set(versionHeader, info.Version)
	return writeJSON(c, http.StatusOK, appendInferResponse(make([]byte, 0, size), &resp, res.Cached))
}

// v2Inputs checks the request's inputs against the model (every input
// present once, no extra ones, exact shape and an accepted datatype) and
// encodes them into raw tensors in model order.
func v2Inputs(info runtime.Info, in []inference.InferInput) ([][]byte, error) {
	out := make([][]byte, len(info.Inputs))
	names := make([]string, len(info.Inputs))
	for i, spec := range info.Inputs {
		names[i] = spec.Name
	}
	for _, x := range in {
		i := slices.Index(names, x.Name)
		if i < 0 {
			return nil, &inference.InputError{Input: x.Name, Field: "name", Expected: fmt.Sprintf("one of the model's inputs %q", names), Got: fmt.Sprintf("%q", x.Name)}
		}
		if out[i] != nil {
			return nil, &inference.InputError{Input: x.Name, Field: "name", Expected: "each input once", Got: "it twice"}
		}
		spec := info.Inputs[i]
		shape := make([]int, len(x.Shape))
		for k, d := range x.Shape {
			shape[k] = int(d)
		}
		if err := spec.CheckShape(shape); err != nil {
			return nil, err
		}
		if err := spec.CheckDatatype(x.Datatype); err != nil {
			return nil, err
		}
		values, nested, err := inference.ParseArray(x.Data)
		if err != nil {
			return nil, &inference.InputError{Input: x.Name, Field: "data", Expected: "a flat or nested JSON array of numbers", Got: err.Error()}
		}
		// v2 allows flat data; nested data must nest exactly as the shape.
		if len(nested) > 1 && !slices.Equal(nested, spec.Shape) {
			return nil, &inference.InputError{Input: x.Name, Field: "data", Expected: fmt.Sprintf("nesting %v (the shape)", spec.Shape), Got: fmt.Sprintf("nesting %v", nested)}
		}
		raw, err := spec.Encode(values, x.Datatype)
		if err != nil {
			return nil, err
		}
		out[i] = raw
	}
	for i, raw := range out {
		if raw == nil {
			return nil, &inference.InputError{Input: names[i], Field: "name", Expected: fmt.Sprintf("input %q (the model takes %q)", names[i], names), Got: "no such input in the request"}
		}
	}
	return out, nil
}

// v2Outputs resolves the requested outputs (all when none are named) and
// whether each is returned raw.
func v2Outputs(info runtime.Info, req inference.InferRequest) (idx []int, raw []bool, err error) {
	allRaw := req.Parameters.Bool(inference.ParamRawOutputs)
	if len(req.Outputs) == 0 {
		for i := range info.Outputs {
			idx, raw = append(idx, i), append(raw, allRaw)
		}
		return idx, raw, nil
	}
	names := make([]string, len(info.Outputs))
	for i, spec := range info.Outputs {
		names[i] = spec.Name
	}
	for _, o := range req.Outputs {
		i := slices.Index(names, o.Name)
		if i < 0 {
			return nil, nil, badRequestf("requested output %q: the model's outputs are %q", o.Name, names)
		}
		idx, raw = append(idx, i), append(raw, allRaw || o.Parameters.Bool(inference.ParamRaw))
	}
	return idx, raw, nil
}
