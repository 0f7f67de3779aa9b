package builder

import (
	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// fileIdentifier is the four bytes TFLite expects at offset 4.
var fileIdentifier = []byte("TFL3")

// bufferAlign is the alignment of constant data inside the file, as
// TFLite's converter uses, so loaders can view weights in place as int32 or
// float32 without copying.
const bufferAlign = 16

// Encode writes the model as .tflite flatbuffer bytes, exactly as given:
// it checks nothing, so tests can write files with out-of-range indices,
// wrong buffer sizes or mismatched options. Builder.Finish is the checked
// path.
func (m *Model) Encode() []byte {
	fb := flatbuffers.NewBuilder(1024)

	buffers := make([]flatbuffers.UOffsetT, len(m.Buffers))
	// Buffers go first so that the large constant data sits at the end of
	// the file, as converters lay it out.
	for i := len(m.Buffers) - 1; i >= 0; i-- {
		buffers[i] = encodeBuffer(fb, m.Buffers[i])
	}
	subgraphs := make([]flatbuffers.UOffsetT, len(m.Subgraphs))
	for i := range m.Subgraphs {
		subgraphs[i] = encodeSubgraph(fb, &m.Subgraphs[i])
	}
	codes := make([]flatbuffers.UOffsetT, len(m.OperatorCodes))
	for i, c := range m.OperatorCodes {
		codes[i] = encodeOperatorCode(fb, c)
	}
	var desc flatbuffers.UOffsetT
	if m.Description != "" {
		desc = fb.CreateString(m.Description)
	}
	codesVec := tableVector(fb, codes)
	subgraphsVec := tableVector(fb, subgraphs)
	buffersVec := tableVector(fb, buffers)

	schema.ModelStart(fb)
	schema.ModelAddVersion(fb, m.Version)
	schema.ModelAddOperatorCodes(fb, codesVec)
	schema.ModelAddSubgraphs(fb, subgraphsVec)
	if m.Description != "" {
		schema.ModelAddDescription(fb, desc)
	}
	schema.ModelAddBuffers(fb, buffersVec)
	root := schema.ModelEnd(fb)
	if m.OmitIdentifier {
		fb.Finish(root)
	} else {
		fb.FinishWithFileIdentifier(root, fileIdentifier)
	}
	return fb.FinishedBytes()
}

func tableVector(fb *flatbuffers.Builder, offsets []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
	fb.StartVector(4, len(offsets), 4)
	for i := len(offsets) - 1; i >= 0; i-- {
		fb.PrependUOffsetT(offsets[i])
	}
	return fb.EndVector(len(offsets))
}

func encodeBuffer(fb *flatbuffers.Builder, data []byte) flatbuffers.UOffsetT {
	var vec flatbuffers.UOffsetT
	if len(data) > 0 {
		// StartVector reserves room for the data and aligns its start.
		fb.StartVector(1, len(data), bufferAlign)
		for i := len(data) - 1; i >= 0; i-- {
			fb.PlaceByte(data[i])
		}
		vec = fb.EndVector(len(data))
	}
	schema.BufferStart(fb)
	if len(data) > 0 {
		schema.BufferAddData(fb, vec)
	}
	return schema.BufferEnd(fb)
}

func encodeOperatorCode(fb *flatbuffers.Builder, c OperatorCode) flatbuffers.UOffsetT {
	var custom flatbuffers.UOffsetT
	if c.Custom != "" {
		custom = fb.CreateString(c.Custom)
	}
	// Codes above 127 do not fit the deprecated int8 field; converters put
	// PLACEHOLDER_FOR_GREATER_OP_CODES (127) there. Readers as old as TFLite
	// 2.2 only know the deprecated field, so it is always written.
	deprecated := int8(127)
	if c.Builtin >= 0 && c.Builtin < 127 {
		deprecated = int8(c.Builtin)
	}
	schema.OperatorCodeStart(fb)
	schema.OperatorCodeAddDeprecatedBuiltinCode(fb, deprecated)
	if c.Custom != "" {
		schema.OperatorCodeAddCustomCode(fb, custom)
	}
	schema.OperatorCodeAddVersion(fb, c.Version)
	schema.OperatorCodeAddBuiltinCode(fb, schema.BuiltinOperator(c.Builtin))
	return schema.OperatorCodeEnd(fb)
}

func encodeSubgraph(fb *flatbuffers.Builder, sg *Subgraph) flatbuffers.UOffsetT {
	tensors := make([]flatbuffers.UOffsetT, len(sg.Tensors))
	for i := range sg.Tensors {
		tensors[i] = encodeTensor(fb, &sg.Tensors[i])
	}
	ops := make([]flatbuffers.UOffsetT, len(sg.Operators))
	for i := range sg.Operators {
		ops[i] = encodeOperator(fb, &sg.Operators[i])
	}
	var name flatbuffers.UOffsetT
	if sg.Name != "" {
		name = fb.CreateString(sg.Name)
	}
	tensorsVec := tableVector(fb, tensors)
	inputs := int32Vector(fb, sg.Inputs)
	outputs := int32Vector(fb, sg.Outputs)
	opsVec := tableVector(fb, ops)

	schema.SubGraphStart(fb)
	schema.SubGraphAddTensors(fb, tensorsVec)
	schema.SubGraphAddInputs(fb, inputs)
	schema.SubGraphAddOutputs(fb, outputs)
	schema.SubGraphAddOperators(fb, opsVec)
	if sg.Name != "" {
		schema.SubGraphAddName(fb, name)
	}
	return schema.SubGraphEnd(fb)
}

func encodeTensor(fb *flatbuffers.Builder, t *Tensor) flatbuffers.UOffsetT {
	shape := int32Vector(fb, t.Shape)
	var sig flatbuffers.UOffsetT
	if t.ShapeSignature != nil {
		sig = int32Vector(fb, t.ShapeSignature)
	}
	name := fb.CreateString(t.Name)
	var quant flatbuffers.UOffsetT
	if !t.Quant.IsZero() {
		quant = encodeQuant(fb, t.Quant)
	}

	schema.TensorStart(fb)
	schema.TensorAddShape(fb, shape)
	schema.TensorAddType(fb, schema.TensorType(t.Type))
	schema.TensorAddBuffer(fb, t.Buffer)
	schema.TensorAddName(fb, name)
	if quant != 0 {
		schema.TensorAddQuantization(fb, quant)
	}
	if t.IsVariable {
		schema.TensorAddIsVariable(fb, true)
	}
	if t.ShapeSignature != nil {
		schema.TensorAddShapeSignature(fb, sig)
	}
	return schema.TensorEnd(fb)
}

func encodeQuant(fb *flatbuffers.Builder, q Quant) flatbuffers.UOffsetT {
	fb.StartVector(4, len(q.Scale), 4)
	for i := len(q.Scale) - 1; i >= 0; i-- {
		fb.PrependFloat32(q.Scale[i])
	}
	scales := fb.EndVector(len(q.Scale))
	fb.StartVector(8, len(q.ZeroPoint), 8)
	for i := len(q.ZeroPoint) - 1; i >= 0; i-- {
		fb.PrependInt64(q.ZeroPoint[i])
	}
	zps := fb.EndVector(len(q.ZeroPoint))

	schema.QuantizationParametersStart(fb)
	schema.QuantizationParametersAddScale(fb, scales)
	schema.QuantizationParametersAddZeroPoint(fb, zps)
	schema.QuantizationParametersAddQuantizedDimension(fb, int32(q.Dim))
	return schema.QuantizationParametersEnd(fb)
}

func encodeOperator(fb *flatbuffers.Builder, op *Operator) flatbuffers.UOffsetT {
	inputs := int32Vector(fb, op.Inputs)
	outputs := int32Vector(fb, op.Outputs)
	optType, opts := schema.BuiltinOptionsNONE, flatbuffers.UOffsetT(0)
	if op.Options != nil {
		optType, opts = op.Options.encode(fb)
	}

	schema.OperatorStart(fb)
	schema.OperatorAddOpcodeIndex(fb, op.OpcodeIndex)
	schema.OperatorAddInputs(fb, inputs)
	schema.OperatorAddOutputs(fb, outputs)
	if optType != schema.BuiltinOptionsNONE {
		schema.OperatorAddBuiltinOptionsType(fb, optType)
		schema.OperatorAddBuiltinOptions(fb, opts)
	}
	return schema.OperatorEnd(fb)
}
