package tflite

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"testing"

	flatbuffers "github.com/google/flatbuffers/go"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
)

// offsetMarker is a placeholder for the weights' file offset, patched once
// the flatbuffer's length is known (as TFLite's converter does for models
// over 2 GiB).
const offsetMarker = 0x0123456789abcdef

// offsetModel encodes input int8 [1,2] -> FULLY_CONNECTED (weights int8
// [1,2] stored after the flatbuffer, addressed by buffer offset/size; no
// bias) -> output int8 [1,1]. All scales 1, zero points 0.
func offsetModel(t *testing.T, weights []byte) []byte {
	t.Helper()
	fb := flatbuffers.NewBuilder(512)
	quant := func() flatbuffers.UOffsetT {
		schema.QuantizationParametersStartScaleVector(fb, 1)
		fb.PrependFloat32(1)
		scale := fb.EndVector(1)
		schema.QuantizationParametersStartZeroPointVector(fb, 1)
		fb.PrependInt64(0)
		zp := fb.EndVector(1)
		schema.QuantizationParametersStart(fb)
		schema.QuantizationParametersAddScale(fb, scale)
		schema.QuantizationParametersAddZeroPoint(fb, zp)
		return schema.QuantizationParametersEnd(fb)
	}
	tensorT := func(name string, shape []int32, buffer uint32) flatbuffers.UOffsetT {
		n := fb.CreateString(name)
		q := quant()
		schema.TensorStartShapeVector(fb, len(shape))
		for i := len(shape) - 1; i >= 0; i-- {
			fb.PrependInt32(shape[i])
		}
		s := fb.EndVector(len(shape))
		schema.TensorStart(fb)
		schema.TensorAddShape(fb, s)
		schema.TensorAddType(fb, schema.TensorTypeINT8)
		schema.TensorAddBuffer(fb, buffer)
		schema.TensorAddName(fb, n)
		schema.TensorAddQuantization(fb, q)
		return schema.TensorEnd(fb)
	}
	ints := func(v ...int32) flatbuffers.UOffsetT {
		fb.StartVector(4, len(v), 4)
		for i := len(v) - 1; i >= 0; i-- {
			fb.PrependInt32(v[i])
		}
		return fb.EndVector(len(v))
	}
	tables := func(v ...flatbuffers.UOffsetT) flatbuffers.UOffsetT {
		fb.StartVector(4, len(v), 4)
		for i := len(v) - 1; i >= 0; i-- {
			fb.PrependUOffsetT(v[i])
		}
		return fb.EndVector(len(v))
	}
	tIn, tW, tOut := tensorT("input", []int32{1, 2}, 0), tensorT("weights", []int32{1, 2}, 1), tensorT("output", []int32{1, 1}, 0)
	opIn, opOut := ints(0, 1, -1), ints(2)
	schema.FullyConnectedOptionsStart(fb)
	opts := schema.FullyConnectedOptionsEnd(fb)
	schema.OperatorStart(fb)
	schema.OperatorAddOpcodeIndex(fb, 0)
	schema.OperatorAddInputs(fb, opIn)
	schema.OperatorAddOutputs(fb, opOut)
	schema.OperatorAddBuiltinOptionsType(fb, schema.BuiltinOptionsFullyConnectedOptions)
	schema.OperatorAddBuiltinOptions(fb, opts)
	op := schema.OperatorEnd(fb)
	tensors, ops, ins, outs := tables(tIn, tW, tOut), tables(op), ints(0), ints(2)
	schema.SubGraphStart(fb)
	schema.SubGraphAddTensors(fb, tensors)
	schema.SubGraphAddInputs(fb, ins)
	schema.SubGraphAddOutputs(fb, outs)
	schema.SubGraphAddOperators(fb, ops)
	sg := schema.SubGraphEnd(fb)
	schema.OperatorCodeStart(fb)
	schema.OperatorCodeAddDeprecatedBuiltinCode(fb, int8(schema.BuiltinOperatorFULLY_CONNECTED))
	schema.OperatorCodeAddBuiltinCode(fb, schema.BuiltinOperatorFULLY_CONNECTED)
	schema.OperatorCodeAddVersion(fb, 4)
	code := schema.OperatorCodeEnd(fb)
	schema.BufferStart(fb)
	empty := schema.BufferEnd(fb)
	schema.BufferStart(fb)
	schema.BufferAddOffset(fb, offsetMarker)
	schema.BufferAddSize(fb, uint64(len(weights)))
	wbuf := schema.BufferEnd(fb)
	subgraphs, codes, buffers := tables(sg), tables(code), tables(empty, wbuf)
	schema.ModelStart(fb)
	schema.ModelAddVersion(fb, 3)
	schema.ModelAddOperatorCodes(fb, codes)
	schema.ModelAddSubgraphs(fb, subgraphs)
	schema.ModelAddBuffers(fb, buffers)
	fb.FinishWithFileIdentifier(schema.ModelEnd(fb), []byte("TFL3"))
	out := append([]byte(nil), fb.FinishedBytes()...)

	// Weights go after the flatbuffer at a 16-byte boundary, then the
	// placeholder offset is patched in.
	for len(out)%16 != 0 {
		out = append(out, 0)
	}
	var marker, real [8]byte
	binary.LittleEndian.PutUint64(marker[:], offsetMarker)
	binary.LittleEndian.PutUint64(real[:], uint64(len(out)))
	at := bytes.Index(out, marker[:])
	if at < 0 {
		t.Fatal("offset placeholder not found")
	}
	copy(out[at:], real[:])
	return append(out, weights...)
}

func TestLoadOffsetBuffer(t *testing.T) {
	buf := offsetModel(t, []byte{3, 0xfe}) // weights 3, -2
	m, err := Load(buf)
	if err != nil {
		t.Fatal(err)
	}
	it, err := NewInterpreter(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = it.Input(0).CopyFrom([]byte{10, 4}) // 3*10 - 2*4 = 22
	if err := it.Invoke(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := it.Output(0).Int8(); len(got) != 1 || got[0] != 22 {
		t.Fatalf("output = %v, want [22]", got)
	}

	// The same file cut short: the weights' offset/size now points past
	// the end.
	if _, err := Load(buf[:len(buf)-1]); !errors.Is(err, ErrInvalidModel) || !bytes.Contains([]byte(err.Error()), []byte("outside the")) {
		t.Fatalf("truncated offset buffer: err = %v, want ErrInvalidModel naming the range", err)
	}
}

func TestAlignedView(t *testing.T) {
	backing := make([]uint64, 4)
	raw := unsafeBytes(backing)
	for i := range raw {
		raw[i] = byte(i)
	}
	for _, size := range []int{1, 2, 4, 8} {
		for off := 0; off < 8; off++ {
			data := raw[off : off+16]
			got := alignedView(data, size)
			if !bytes.Equal(got, data) {
				t.Fatalf("size %d offset %d: content changed", size, off)
			}
			aligned := off%size == 0
			if same := &got[0] == &data[0]; same != aligned {
				t.Errorf("size %d offset %d: view in place = %v, want %v", size, off, same, aligned)
			}
			if addr := uintptrOf(got); addr%uintptr(size) != 0 {
				t.Errorf("size %d offset %d: result misaligned", size, off)
			}
		}
	}
}
