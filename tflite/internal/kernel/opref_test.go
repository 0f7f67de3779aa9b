package kernel

// Reference cases: a one-operator model described in Go, run through TFLite
// 2.2 (shared/reference/tflite-ref.mjs) once with -update-opref to record its
// output under testdata/opref/, then run through our kernel on every test.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"unsafe"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

var updateOpRef = flag.Bool("update-opref", false,
	"rerun the reference cases through TFLite 2.2 (node + $TFLITE_REF, default /work/shared/reference/tflite-ref.mjs) and rewrite testdata/opref/*.out.bin")

// refTensor describes one tensor of a reference case.
type refTensor struct {
	typ   tensor.DType
	shape []int
	scale []float32
	zp    []int64
	// data is the constant's bytes (const) or the model input's bytes.
	data  []byte
	konst bool
}

// refCase is a one-operator model.
type refCase struct {
	name    string // file stem under testdata/opref
	code    schema.BuiltinOperator
	version int32
	// options builds the builtin options table; nil means none.
	options func(b *flatbuffers.Builder) (schema.BuiltinOptions, flatbuffers.UOffsetT)
	inputs  []refTensor
	outputs []refTensor
	// tol is the relative tolerance for float32 outputs.
	tol float64
}

// buildModel serializes the case as a .tflite flatbuffer.
func (c *refCase) buildModel() []byte {
	b := flatbuffers.NewBuilder(1024)
	all := append(append([]refTensor{}, c.inputs...), c.outputs...)

	// Buffer 0 is the conventional empty buffer; constants get their own.
	bufOffsets := []flatbuffers.UOffsetT{emptyBuffer(b)}
	bufIndex := make([]uint32, len(all))
	for i, t := range all {
		if !t.konst {
			continue
		}
		data := b.CreateByteVector(t.data)
		schema.BufferStart(b)
		schema.BufferAddData(b, data)
		bufIndex[i] = uint32(len(bufOffsets))
		bufOffsets = append(bufOffsets, schema.BufferEnd(b))
	}

	tensors := make([]flatbuffers.UOffsetT, len(all))
	for i, t := range all {
		name := b.CreateString(tensorName(i))
		shape := int32Vector(b, schema.TensorStartShapeVector, t.shape)
		var quant flatbuffers.UOffsetT
		if len(t.scale) > 0 {
			schema.QuantizationParametersStartScaleVector(b, len(t.scale))
			for j := len(t.scale) - 1; j >= 0; j-- {
				b.PrependFloat32(t.scale[j])
			}
			scales := b.EndVector(len(t.scale))
			schema.QuantizationParametersStartZeroPointVector(b, len(t.zp))
			for j := len(t.zp) - 1; j >= 0; j-- {
				b.PrependInt64(t.zp[j])
			}
			zps := b.EndVector(len(t.zp))
			schema.QuantizationParametersStart(b)
			schema.QuantizationParametersAddScale(b, scales)
			schema.QuantizationParametersAddZeroPoint(b, zps)
			quant = schema.QuantizationParametersEnd(b)
		}
		schema.TensorStart(b)
		schema.TensorAddShape(b, shape)
		schema.TensorAddType(b, schema.TensorType(t.typ))
		schema.TensorAddBuffer(b, bufIndex[i])
		schema.TensorAddName(b, name)
		if quant != 0 {
			schema.TensorAddQuantization(b, quant)
		}
		tensors[i] = schema.TensorEnd(b)
	}

	var opIn, opOut, graphIn, graphOut []int
	for i, t := range c.inputs {
		opIn = append(opIn, i)
		if !t.konst {
			graphIn = append(graphIn, i)
		}
	}
	for i := range c.outputs {
		opOut = append(opOut, len(c.inputs)+i)
		graphOut = append(graphOut, len(c.inputs)+i)
	}

	var optType schema.BuiltinOptions
	var opts flatbuffers.UOffsetT
	if c.options != nil {
		optType, opts = c.options(b)
	}
	ins := int32Vector(b, schema.OperatorStartInputsVector, opIn)
	outs := int32Vector(b, schema.OperatorStartOutputsVector, opOut)
	schema.OperatorStart(b)
	schema.OperatorAddOpcodeIndex(b, 0)
	schema.OperatorAddInputs(b, ins)
	schema.OperatorAddOutputs(b, outs)
	if c.options != nil {
		schema.OperatorAddBuiltinOptionsType(b, optType)
		schema.OperatorAddBuiltinOptions(b, opts)
	}
	op := schema.OperatorEnd(b)

	tensorVec := offsetVector(b, schema.SubGraphStartTensorsVector, tensors)
	gIn := int32Vector(b, schema.SubGraphStartInputsVector, graphIn)
	gOut := int32Vector(b, schema.SubGraphStartOutputsVector, graphOut)
	opVec := offsetVector(b, schema.SubGraphStartOperatorsVector, []flatbuffers.UOffsetT{op})
	schema.SubGraphStart(b)
	schema.SubGraphAddTensors(b, tensorVec)
	schema.SubGraphAddInputs(b, gIn)
	schema.SubGraphAddOutputs(b, gOut)
	schema.SubGraphAddOperators(b, opVec)
	sg := schema.SubGraphEnd(b)

	version := c.version
	if version == 0 {
		version = 1
	}
	schema.OperatorCodeStart(b)
	schema.OperatorCodeAddDeprecatedBuiltinCode(b, int8(min(int32(c.code), 127)))
	schema.OperatorCodeAddBuiltinCode(b, c.code)
	schema.OperatorCodeAddVersion(b, version)
	code := schema.OperatorCodeEnd(b)

	codes := offsetVector(b, schema.ModelStartOperatorCodesVector, []flatbuffers.UOffsetT{code})
	sgs := offsetVector(b, schema.ModelStartSubgraphsVector, []flatbuffers.UOffsetT{sg})
	bufs := offsetVector(b, schema.ModelStartBuffersVector, bufOffsets)
	desc := b.CreateString("edgefleet kernel reference case")
	schema.ModelStart(b)
	schema.ModelAddVersion(b, 3)
	schema.ModelAddOperatorCodes(b, codes)
	schema.ModelAddSubgraphs(b, sgs)
	schema.ModelAddDescription(b, desc)
	schema.ModelAddBuffers(b, bufs)
	b.FinishWithFileIdentifier(schema.ModelEnd(b), []byte("TFL3"))
	return b.FinishedBytes()
}

func emptyBuffer(b *flatbuffers.Builder) flatbuffers.UOffsetT {
	schema.BufferStart(b)
	return schema.BufferEnd(b)
}

func tensorName(i int) string { return "t" + string(rune('0'+i/10)) + string(rune('0'+i%10)) }

func int32Vector(b *flatbuffers.Builder, start func(*flatbuffers.Builder, int) flatbuffers.UOffsetT, v []int) flatbuffers.UOffsetT {
	start(b, len(v))
	for i := len(v) - 1; i >= 0; i-- {
		b.PrependInt32(int32(v[i]))
	}
	return b.EndVector(len(v))
}

func offsetVector(b *flatbuffers.Builder, start func(*flatbuffers.Builder, int) flatbuffers.UOffsetT, v []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
	start(b, len(v))
	for i := len(v) - 1; i >= 0; i-- {
		b.PrependUOffsetT(v[i])
	}
	return b.EndVector(len(v))
}

// node builds the kernel Node the way the loader would: tensors from the
// case, the operator table from the serialized model so that the option
// parsers are exercised too.
func (c *refCase) node(model []byte) *Node {
	m := schema.GetRootAsModel(model, 0)
	var sg schema.SubGraph
	m.Subgraphs(&sg, 0)
	op := new(schema.Operator)
	sg.Operators(op, 0)
	n := &Node{Index: 0, Code: c.code, Version: int(max(c.version, 1)), Op: op}
	mk := func(i int, t refTensor) *tensor.Tensor {
		tt := &tensor.Tensor{Index: i, Name: tensorName(i), Type: t.typ, Shape: t.shape, Const: t.konst, Scale: t.scale, ZeroPoint: t.zp}
		tt.Data = alignedBytes(tt.ByteSize())
		copy(tt.Data, t.data)
		return tt
	}
	for i, t := range c.inputs {
		n.Inputs = append(n.Inputs, mk(i, t))
	}
	for i, t := range c.outputs {
		n.Outputs = append(n.Outputs, mk(len(c.inputs)+i, t))
	}
	return n
}

// alignedBytes returns n zero bytes aligned for any element type.
func alignedBytes(n int) []byte {
	words := make([]uint64, (n+7)/8)
	if len(words) == 0 {
		return []byte{}
	}
	return unsafeBytes(words)[:n]
}

func unsafeBytes(w []uint64) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)*8)
}

// runRefCase checks our kernel against the recorded TFLite output.
func runRefCase(t *testing.T, c refCase) {
	t.Helper()
	model := c.buildModel()
	golden := filepath.Join("testdata", "opref", c.name+".out.bin")
	if *updateOpRef {
		recordRefCase(t, c, model, golden)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update-opref)", err, t.Name())
	}
	// Every kernel must give TFLite's answer both with derived data (packed
	// weights, lookup tables) and without (LowMemory).
	for _, lowMemory := range []bool{false, true} {
		n := c.node(model)
		n.LowMemory = lowMemory
		checkRefCase(t, c, n, want)
	}
}

// checkRefCase prepares and runs node n and compares it with want.
func checkRefCase(t *testing.T, c refCase, n *Node, want []byte) {
	t.Helper()
	prepare, ok := Lookup(c.code)
	if !ok {
		t.Fatalf("no kernel for %s", OpName(c.code))
	}
	op, err := prepare(n)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if err := op.Eval(); err != nil {
		t.Fatalf("eval: %v", err)
	}
	if allocs := testing.AllocsPerRun(3, func() { _ = op.Eval() }); allocs != 0 {
		t.Errorf("Eval allocates %v times per run", allocs)
	}
	got := n.Outputs[0]
	if len(want) != len(got.Data) {
		t.Fatalf("output %d bytes, TFLite %d", len(got.Data), len(want))
	}
	if got.Type == tensor.Float32 {
		compareFloats(t, got.Float32(), viewFloat32(want), c.tol)
		return
	}
	if !bytes.Equal(got.Data, want) {
		diffs, first := 0, -1
		for i := range want {
			if want[i] != got.Data[i] {
				diffs++
				if first < 0 {
					first = i
				}
			}
		}
		t.Fatalf("LowMemory=%v: %d of %d bytes differ from TFLite; first at byte %d: got %d want %d", n.LowMemory, diffs, len(want), first, got.Data[first], want[first])
	}
}

func compareFloats(t *testing.T, got, want []float32, tol float64) {
	t.Helper()
	if tol == 0 {
		tol = 1e-5
	}
	bad := 0
	for i := range want {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > tol*math.Max(1, math.Abs(float64(want[i]))) {
			if bad < 5 {
				t.Errorf("element %d: got %v want %v", i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d elements out of tolerance %g", bad, len(want), tol)
	}
}

func viewFloat32(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// recordRefCase runs the model through the reference runner.
func recordRefCase(t *testing.T, c refCase, model []byte, golden string) {
	t.Helper()
	runner := os.Getenv("TFLITE_REF")
	if runner == "" {
		runner = "/work/shared/reference/tflite-ref.mjs"
	}
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "m.tflite")
	if err := os.WriteFile(modelPath, model, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{runner, modelPath}
	for i, in := range c.inputs {
		if in.konst {
			continue
		}
		p := filepath.Join(dir, "in"+tensorName(i)+".bin")
		if err := os.WriteFile(p, in.data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--input", p)
	}
	args = append(args, "--out", filepath.Join(dir, "out.json"), "--out-bin", dir, "--engine", "tflite")
	cmd := exec.Command("node", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("TFLite refused case %s: %v\n%s", c.name, err, stderr.String())
		}
		t.Fatal(err)
	}
	out, err := os.ReadFile(filepath.Join(dir, "output_0.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(golden, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Input makers: deterministic pseudo-random data per case.

func randInt8(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
	return b
}

func randFloat32(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, 4*n)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(r.Float64()*2-1)))
	}
	return b
}

func int32Bytes(v ...int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

func int64Bytes(v ...int64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}

func float32Bytes(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func elems(shape ...int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Tensor makers for cases.

func qIn(typ tensor.DType, scale float32, zp int64, seed uint64, shape ...int) refTensor {
	return refTensor{typ: typ, shape: shape, scale: []float32{scale}, zp: []int64{zp}, data: randInt8(seed, elems(shape...))}
}

func qOut(typ tensor.DType, scale float32, zp int64, shape ...int) refTensor {
	return refTensor{typ: typ, shape: shape, scale: []float32{scale}, zp: []int64{zp}}
}

func fIn(seed uint64, shape ...int) refTensor {
	return refTensor{typ: tensor.Float32, shape: shape, data: randFloat32(seed, elems(shape...))}
}

func fOut(shape ...int) refTensor { return refTensor{typ: tensor.Float32, shape: shape} }

func constI32(shape []int, v ...int32) refTensor {
	return refTensor{typ: tensor.Int32, shape: shape, data: int32Bytes(v...), konst: true}
}
