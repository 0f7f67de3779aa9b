package builder_test

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/builder"
	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// readModel parses buf with the generated accessors.
func readModel(t *testing.T, buf []byte) *schema.Model {
	t.Helper()
	if len(buf) < 8 {
		t.Fatalf("model is %d bytes", len(buf))
	}
	return schema.GetRootAsModel(buf, 0)
}

// convGraph is a one-CONV_2D int8 graph with per-channel weights, a 3-byte
// constant placed first so later buffers would be misaligned without
// padding.
func convGraph() *builder.Builder {
	b := builder.New()
	b.Description("conv test")
	b.ConstInt8("odd", []int{3}, []int8{1, 2, 3}, builder.Quant{})
	in := b.Input("x", builder.Int8, []int{1, 4, 4, 2}, builder.PerTensor(0.5, -3))
	w := b.ConstInt8("w", []int{2, 3, 3, 2}, make([]int8, 36), builder.PerAxis(0, []float32{0.1, 0.2}))
	bias := b.ConstInt32("b", nil, []int32{7, -7}, builder.PerAxis(0, []float32{0.05, 0.1}))
	out := b.Tensor("y", builder.Int8, []int{1, 2, 2, 2}, builder.PerTensor(0.25, 1))
	b.Op(builder.Conv2D{Padding: builder.Valid, StrideW: 2, StrideH: 1, Activation: builder.ActRelu6}, []int{in, w, bias}, []int{out})
	b.Output(out)
	return b
}

func TestFinishWritesTFLiteLayout(t *testing.T) {
	buf, err := convGraph().Finish()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(buf[4:8]); got != "TFL3" {
		t.Errorf("file identifier %q, want TFL3", got)
	}
	m := readModel(t, buf)
	if m.Version() != 3 {
		t.Errorf("version %d, want 3", m.Version())
	}
	if string(m.Description()) != "conv test" {
		t.Errorf("description %q", m.Description())
	}
	var b0 schema.Buffer
	if !m.Buffers(&b0, 0) || b0.DataLength() != 0 {
		t.Errorf("buffer 0 has %d bytes, want empty", b0.DataLength())
	}
	if m.BuffersLength() != 4 {
		t.Fatalf("%d buffers, want 4 (empty + 3 constants)", m.BuffersLength())
	}
	for i := 1; i < m.BuffersLength(); i++ {
		var bb schema.Buffer
		m.Buffers(&bb, i)
		data := bb.DataBytes()
		// DataBytes is a sub-slice of buf, so its capacity tells its offset.
		if off := len(buf) - cap(data); off%16 != 0 {
			t.Errorf("buffer %d data at offset %d, want 16-byte aligned", i, off)
		}
	}

	var code schema.OperatorCode
	m.OperatorCodes(&code, 0)
	if code.DeprecatedBuiltinCode() != int8(schema.BuiltinOperatorCONV_2D) || code.BuiltinCode() != schema.BuiltinOperatorCONV_2D || code.Version() != 3 {
		t.Errorf("operator code %d/%d v%d, want CONV_2D v3", code.DeprecatedBuiltinCode(), code.BuiltinCode(), code.Version())
	}

	var sg schema.SubGraph
	m.Subgraphs(&sg, 0)
	if sg.InputsLength() != 1 || sg.Inputs(0) != 1 || sg.OutputsLength() != 1 || sg.Outputs(0) != 4 {
		t.Errorf("subgraph inputs/outputs wrong")
	}
	var w schema.Tensor
	sg.Tensors(&w, 2)
	var wq schema.QuantizationParameters
	w.Quantization(&wq)
	if string(w.Name()) != "w" || w.Type() != schema.TensorTypeINT8 || w.Buffer() != 2 ||
		wq.ScaleLength() != 2 || wq.Scale(1) != 0.2 || wq.ZeroPointLength() != 2 || wq.QuantizedDimension() != 0 {
		t.Errorf("weights tensor written wrong: name %q type %d buffer %d scales %d", w.Name(), w.Type(), w.Buffer(), wq.ScaleLength())
	}
	var x schema.Tensor
	sg.Tensors(&x, 1)
	if x.ShapeLength() != 4 || x.Shape(1) != 4 || x.Shape(3) != 2 {
		t.Errorf("input shape written wrong")
	}

	var op schema.Operator
	sg.Operators(&op, 0)
	if op.BuiltinOptionsType() != schema.BuiltinOptionsConv2DOptions {
		t.Fatalf("options type %d, want Conv2DOptions", op.BuiltinOptionsType())
	}
	var tab flatbuffers.Table
	op.BuiltinOptions(&tab)
	var opts schema.Conv2DOptions
	opts.Init(tab.Bytes, tab.Pos)
	if opts.Padding() != schema.PaddingVALID || opts.StrideW() != 2 || opts.StrideH() != 1 ||
		opts.DilationWFactor() != 1 || opts.FusedActivationFunction() != schema.ActivationFunctionTypeRELU6 {
		t.Errorf("conv options written wrong: pad %d stride %d,%d dil %d act %d",
			opts.Padding(), opts.StrideW(), opts.StrideH(), opts.DilationWFactor(), opts.FusedActivationFunction())
	}
}

func TestBuilderRefusesInconsistentGraphs(t *testing.T) {
	f32 := builder.Float32
	none := builder.Quant{}
	tests := []struct {
		name  string
		build func(b *builder.Builder)
	}{
		{"const data too short", func(b *builder.Builder) {
			c := b.Const("c", builder.Int32, []int{3}, make([]byte, 8), none)
			b.Output(c)
		}},
		{"negative dimension", func(b *builder.Builder) {
			b.Output(b.Input("x", f32, []int{1, -2}, none))
		}},
		{"unknown op input", func(b *builder.Builder) {
			y := b.Tensor("y", f32, []int{1}, none)
			b.Op(builder.Relu{}, []int{7}, []int{y})
			b.Output(y)
		}},
		{"unknown graph output", func(b *builder.Builder) {
			b.Input("x", f32, []int{1}, none)
			b.Output(3)
		}},
		{"nil options", func(b *builder.Builder) {
			x := b.Input("x", f32, []int{1}, none)
			y := b.Tensor("y", f32, []int{1}, none)
			b.Op(nil, []int{x}, []int{y})
			b.Output(y)
		}},
		{"use before definition", func(b *builder.Builder) {
			x := b.Input("x", f32, []int{1}, none)
			y := b.Tensor("y", f32, []int{1}, none)
			z := b.Tensor("z", f32, []int{1}, none)
			b.Op(builder.Relu{}, []int{y}, []int{z})
			b.Op(builder.Relu{}, []int{x}, []int{y})
			b.Output(z)
		}},
		{"output written twice", func(b *builder.Builder) {
			x := b.Input("x", f32, []int{1}, none)
			y := b.Tensor("y", f32, []int{1}, none)
			b.Op(builder.Relu{}, []int{x}, []int{y})
			b.Op(builder.Relu6{}, []int{x}, []int{y})
			b.Output(y)
		}},
		{"op writes a constant", func(b *builder.Builder) {
			x := b.Input("x", f32, []int{1}, none)
			c := b.ConstFloat32("c", []int{1}, []float32{1})
			b.Op(builder.Relu{}, []int{x}, []int{c})
			b.Output(c)
		}},
		{"output never computed", func(b *builder.Builder) {
			b.Input("x", f32, []int{1}, none)
			b.Output(b.Tensor("y", f32, []int{1}, none))
		}},
		{"no outputs", func(b *builder.Builder) {
			b.Input("x", f32, []int{1}, none)
		}},
		{"per-axis scale count", func(b *builder.Builder) {
			b.Output(b.ConstInt8("w", []int{3, 2}, make([]int8, 6), builder.PerAxis(0, []float32{1, 2})))
		}},
		{"per-axis dimension out of rank", func(b *builder.Builder) {
			b.Output(b.ConstInt8("w", []int{3, 2}, make([]int8, 6), builder.PerAxis(2, []float32{1, 2, 3})))
		}},
		{"zero points without scales", func(b *builder.Builder) {
			b.Output(b.Input("x", builder.Int8, []int{1}, builder.Quant{ZeroPoint: []int64{1}}))
		}},
		{"scale and zero point counts differ", func(b *builder.Builder) {
			b.Output(b.Input("x", builder.Int8, []int{2}, builder.Quant{Scale: []float32{1}, ZeroPoint: []int64{1, 2}}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := builder.New()
			tt.build(b)
			buf, err := b.Finish()
			if !errors.Is(err, builder.ErrInvalid) {
				t.Fatalf("Finish = %d bytes, %v; want ErrInvalid", len(buf), err)
			}
		})
	}
}

func TestEncodeWritesBrokenModelsVerbatim(t *testing.T) {
	m, err := convGraph().Model()
	if err != nil {
		t.Fatal(err)
	}
	sg := &m.Subgraphs[0]
	sg.Operators[0].Inputs[0] = 99          // out-of-range tensor
	sg.Operators[0].OpcodeIndex = 5         // out-of-range operator code
	sg.Operators[0].Options = builder.Add{} // options of the wrong kind
	sg.Tensors[2].Buffer = 42               // out-of-range buffer
	m.Buffers[3] = m.Buffers[3][:5]         // bias buffer of the wrong size
	m.OperatorCodes[0].Builtin = 150        // above the int8 code range
	m.OmitIdentifier = true
	buf := m.Encode()
	if string(buf[4:8]) == "TFL3" {
		t.Error("identifier written although omitted")
	}
	r := readModel(t, buf)
	var rsg schema.SubGraph
	r.Subgraphs(&rsg, 0)
	var op schema.Operator
	rsg.Operators(&op, 0)
	var w schema.Tensor
	rsg.Tensors(&w, 2)
	var b3 schema.Buffer
	r.Buffers(&b3, 3)
	var code schema.OperatorCode
	r.OperatorCodes(&code, 0)
	switch {
	case op.Inputs(0) != 99:
		t.Errorf("op input %d, want 99", op.Inputs(0))
	case op.OpcodeIndex() != 5:
		t.Errorf("opcode index %d, want 5", op.OpcodeIndex())
	case op.BuiltinOptionsType() != schema.BuiltinOptionsAddOptions:
		t.Errorf("options type %d, want AddOptions", op.BuiltinOptionsType())
	case w.Buffer() != 42:
		t.Errorf("tensor buffer %d, want 42", w.Buffer())
	case b3.DataLength() != 5:
		t.Errorf("buffer 3 has %d bytes, want 5", b3.DataLength())
	case code.DeprecatedBuiltinCode() != 127 || code.BuiltinCode() != 150:
		t.Errorf("codes %d/%d, want 127 (placeholder)/150", code.DeprecatedBuiltinCode(), code.BuiltinCode())
	}
}

func TestModelIsACopy(t *testing.T) {
	b := convGraph()
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	m.Subgraphs[0].Tensors[1].Shape[0] = 9
	m.Buffers[1][0] = 9
	before, _ := convGraph().Finish()
	after, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("editing the Model changed the Builder's output")
	}
}

func TestOperatorCodesAreShared(t *testing.T) {
	b := builder.New()
	x := b.Input("x", builder.Float32, []int{4}, builder.Quant{})
	y := b.Tensor("y", builder.Float32, []int{4}, builder.Quant{})
	z := b.Tensor("z", builder.Float32, []int{4}, builder.Quant{})
	q := b.Tensor("q", builder.Int8, []int{4}, builder.PerTensor(0.1, 0))
	r := b.Tensor("r", builder.Int8, []int{4}, builder.PerTensor(0.1, 0))
	b.Op(builder.Relu{}, []int{x}, []int{y})
	b.Op(builder.Relu{}, []int{y}, []int{z})
	b.Op(builder.Quantize{}, []int{z}, []int{q})
	b.Op(builder.Relu{}, []int{q}, []int{r})
	b.Output(r)
	m, err := b.Model()
	if err != nil {
		t.Fatal(err)
	}
	want := []builder.OperatorCode{{Builtin: builder.OpRelu, Version: 1}, {Builtin: builder.OpQuantize, Version: 1}, {Builtin: builder.OpRelu, Version: 2}}
	if len(m.OperatorCodes) != len(want) {
		t.Fatalf("operator codes %v, want %v", m.OperatorCodes, want)
	}
	for i := range want {
		if m.OperatorCodes[i] != want[i] {
			t.Errorf("operator code %d = %+v, want %+v", i, m.OperatorCodes[i], want[i])
		}
	}
	if got := m.Subgraphs[0].Operators[1].OpcodeIndex; got != 0 {
		t.Errorf("second RELU uses code %d, want 0", got)
	}
}

func TestFillReference(t *testing.T) {
	a, b := make([]byte, 400), make([]byte, 400)
	builder.NewRand(1).FillReference(a, true)
	builder.NewRand(1).FillReference(b, true)
	if string(a) != string(b) {
		t.Fatal("same seed, different bytes")
	}
	for i := 0; i < len(a); i += 4 {
		f := math.Float32frombits(binary.LittleEndian.Uint32(a[i:]))
		if f < -1 || f >= 1 {
			t.Fatalf("float %v outside [-1, 1)", f)
		}
	}
	builder.NewRand(1).FillReference(b, false)
	if string(a) == string(b) {
		t.Fatal("integer fill equals float fill")
	}
}
