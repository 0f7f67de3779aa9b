package api

import (
	"fmt"
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
	sc := s.scratch.get()
	defer s.scratch.put(sc)
	body, err := sc.readBody(c.Request())
	if err != nil {
		return s.fail(c, name, fmt.Errorf("read request body: %w", err))
	}
	req := &sc.req
	if err := inference.DecodeInferRequest(body, req); err != nil {
		return s.fail(c, name, badRequestf("request body is not a v2 infer request: %v", err))
	}
	h, err := s.opts.Runtime.Acquire(name, c.Param("version"))
	if err != nil {
		return s.fail(c, name, err)
	}
	defer h.Release()
	info := h.Info()
	inputs, err := sc.v2Inputs(&info, req.Inputs)
	if err != nil {
		return s.fail(c, name, err)
	}
	if err := sc.v2Outputs(&info, req); err != nil {
		return s.fail(c, name, err)
	}
	ctx := newTimeoutContext(c.Request().Context(), s.opts.RequestTimeout, s.closed)
	res, err := h.Infer(ctx, inputs)
	ctx.release()
	if err != nil {
		return s.fail(c, name, err)
	}
	out := appendInferHead(sc.resp[:0], info.Name, info.Version, req.ID, res.Cached)
	for j, i := range sc.outIdx {
		if j > 0 {
			out = append(out, ',')
		}
		spec := &info.Outputs[i]
		out = appendOutputHead(out, spec.Name, spec.Shape, spec.OutputDatatype(sc.outRaw[j]))
		if out, err = spec.AppendJSON(out, res.Outputs[i], sc.outRaw[j], nil); err != nil {
			return s.fail(c, name, err)
		}
		out = append(out, '}')
	}
	out = append(out, "]}"...)
	sc.resp = out
	c.Response().Header()[versionHeader] = s.versionValue(info.Version)
	return s.writeJSON(c, http.StatusOK, out)
}

// v2Inputs checks the request's inputs against the model (every input
// present once, no extra ones, exact shape and an accepted datatype) and
// encodes them into raw tensors in model order, in sc's buffers.
func (sc *scratch) v2Inputs(info *runtime.Info, in []inference.InferInput) ([][]byte, error) {
	n := len(info.Inputs)
	sc.inputs = slices.Grow(sc.inputs[:0], n)[:n]
	clear(sc.inputs)
	sc.offsets = slices.Grow(sc.offsets[:0], n)[:n]
	total := 0
	for i := range info.Inputs {
		size, err := info.Inputs[i].ElemSize()
		if err != nil {
			size = 0 // AppendEncoded reports the unsupported type
		}
		sc.offsets[i] = total
		total += size * info.Inputs[i].Elements()
	}
	// Never nil, so an encoded empty tensor still marks its input as seen.
	sc.tensors = slices.Grow(append(sc.tensors[:0], 0), total)[:total]
	for k := range in {
		x := &in[k]
		i := inputIndex(info.Inputs, x.Name)
		if i < 0 {
			return nil, &inference.InputError{Input: x.Name, Field: "name", Expected: fmt.Sprintf("one of the model's inputs %q", tensorNames(info.Inputs)), Got: fmt.Sprintf("%q", x.Name)}
		}
		if sc.inputs[i] != nil {
			return nil, &inference.InputError{Input: x.Name, Field: "name", Expected: "each input once", Got: "it twice"}
		}
		spec := &info.Inputs[i]
		if !shapeIs(x.Shape, spec.Shape) {
			shape := make([]int, len(x.Shape))
			for k, d := range x.Shape {
				shape[k] = int(d)
			}
			if err := spec.CheckShape(shape); err != nil {
				return nil, err
			}
		}
		if err := spec.CheckDatatype(x.Datatype); err != nil {
			return nil, err
		}
		values, nested, err := sc.parser.Parse(x.Data)
		if err != nil {
			return nil, &inference.InputError{Input: x.Name, Field: "data", Expected: "a flat or nested JSON array of numbers", Got: err.Error()}
		}
		// v2 allows flat data; nested data must nest exactly as the shape.
		if len(nested) > 1 && !slices.Equal(nested, spec.Shape) {
			return nil, &inference.InputError{Input: x.Name, Field: "data", Expected: fmt.Sprintf("nesting %v (the shape)", spec.Shape), Got: fmt.Sprintf("nesting %v", nested)}
		}
		end := len(sc.tensors)
		if i+1 < n {
			end = sc.offsets[i+1]
		}
		// The three-index slice keeps each tensor inside its own room.
		raw, err := spec.AppendEncoded(sc.tensors[sc.offsets[i]:sc.offsets[i]:end], values, x.Datatype)
		if err != nil {
			return nil, err
		}
		sc.inputs[i] = raw
	}
	for i, raw := range sc.inputs {
		if raw == nil {
			names := tensorNames(info.Inputs)
			return nil, &inference.InputError{Input: names[i], Field: "name", Expected: fmt.Sprintf("input %q (the model takes %q)", names[i], names), Got: "no such input in the request"}
		}
	}
	return sc.inputs, nil
}

// shapeIs reports whether a request's shape equals the model's.
func shapeIs(got []int64, want []int) bool {
	if len(got) != len(want) {
		return false
	}
	for i, d := range got {
		if d != int64(want[i]) {
			return false
		}
	}
	return true
}

func inputIndex(specs []inference.TensorSpec, name string) int {
	for i := range specs {
		if specs[i].Name == name {
			return i
		}
	}
	return -1
}

// tensorNames lists the specs' names, for error messages.
func tensorNames(specs []inference.TensorSpec) []string {
	names := make([]string, len(specs))
	for i, spec := range specs {
		names[i] = spec.Name
	}
	return names
}

// v2Outputs resolves the requested outputs (all when none are named) into
// sc.outIdx and whether each is returned raw into sc.outRaw.
func (sc *scratch) v2Outputs(info *runtime.Info, req *inference.InferRequest) error {
	allRaw := req.Parameters.Bool(inference.ParamRawOutputs)
	idx, raw := sc.outIdx[:0], sc.outRaw[:0]
	defer func() { sc.outIdx, sc.outRaw = idx, raw }()
	if len(req.Outputs) == 0 {
		for i := range info.Outputs {
			idx, raw = append(idx, i), append(raw, allRaw)
		}
		return nil
	}
	for _, o := range req.Outputs {
		i := inputIndex(info.Outputs, o.Name)
		if i < 0 {
			return badRequestf("requested output %q: the model's outputs are %q", o.Name, tensorNames(info.Outputs))
		}
		idx, raw = append(idx, i), append(raw, allRaw || o.Parameters.Bool(inference.ParamRaw))
	}
	return nil
}
