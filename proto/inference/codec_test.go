package inference

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	i8 := TensorSpec{Name: "x", DType: "int8", Shape: []int{4}, Scale: 0.5, ZeroPoint: -1}
	u8 := TensorSpec{Name: "img", DType: "uint8", Shape: []int{2}, Scale: 1, ZeroPoint: 128}
	f32 := TensorSpec{Name: "f", DType: "float32", Shape: []int{2}}
	i32 := TensorSpec{Name: "ids", DType: "int32", Shape: []int{2}}
	tests := []struct {
		name    string
		spec    TensorSpec
		values  []float64
		dt      string
		want    []byte
		wantErr string
	}{
		// 0.25/0.5 = 0.5 rounds away from zero to 1; -0.25 → -1; clamps at both ends.
		{name: "quantize half away", spec: i8, values: []float64{0.25, -0.25, 1000, -1000}, dt: "FP32", want: []byte{0, 0xfe, 127, 0x80}},
		{name: "quantize uint8", spec: u8, values: []float64{-0.5, 127.4}, dt: "FP32", want: []byte{127, 255}},
		{name: "raw int8", spec: i8, values: []float64{-128, 127, 0, 5}, dt: "INT8", want: []byte{0x80, 0x7f, 0, 5}},
		{name: "raw int8 out of range", spec: i8, values: []float64{128, 0, 0, 0}, dt: "INT8", wantErr: `input "x": data[0]: expected an integer in [-128, 127], got 128`},
		{name: "raw int8 fraction", spec: i8, values: []float64{0, 0.5, 0, 0}, dt: "INT8", wantErr: "data[1]"},
		{name: "wrong datatype", spec: i8, values: []float64{0, 0, 0, 0}, dt: "UINT8", wantErr: `input "x": datatype: expected FP32 or INT8, got "UINT8"`},
		{name: "float", spec: f32, values: []float64{1, -0.5}, dt: "FP32", want: []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xbf}},
		{name: "float overflow", spec: f32, values: []float64{1e300, 0}, dt: "FP32", wantErr: "finite float32"},
		{name: "float given INT8", spec: f32, values: []float64{1, 2}, dt: "INT8", wantErr: `expected FP32, got "INT8"`},
		{name: "int32", spec: i32, values: []float64{-1, 7}, dt: "INT32", want: []byte{0xff, 0xff, 0xff, 0xff, 7, 0, 0, 0}},
		{name: "int32 as float", spec: i32, values: []float64{1, 2}, dt: "FP32", wantErr: `expected INT32, got "FP32"`},
		{name: "count", spec: i8, values: []float64{1}, dt: "FP32", wantErr: "expected 4 values for shape [4], got 1 values"},
		{name: "nan", spec: i8, values: []float64{0, 0, 0, nan()}, dt: "FP32", wantErr: "data[3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.spec.Encode(tc.values, tc.dt)
			if tc.wantErr != "" {
				var ie *InputError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want *InputError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got % x, want % x", got, tc.want)
			}
		})
	}
}

func nan() float64 {
	var zero float64
	return zero / zero
}

func TestAppendJSON(t *testing.T) {
	i8 := TensorSpec{Name: "y", DType: "int8", Shape: []int{2, 2}, Scale: 0.25, ZeroPoint: 1}
	tests := []struct {
		name  string
		spec  TensorSpec
		data  []byte
		raw   bool
		shape []int
		want  string
	}{
		{name: "dequantized flat", spec: i8, data: []byte{1, 5, 0xff, 0x80}, want: `[0,1,-0.5,-32.25]`},
		{name: "raw nested", spec: i8, data: []byte{1, 5, 0xff, 0x80}, raw: true, shape: []int{2, 2}, want: `[[1,5],[-1,-128]]`},
		{name: "scalar", spec: i8, data: []byte{5}, raw: true, shape: []int{}, want: `5`},
		{name: "float", spec: TensorSpec{Name: "f", DType: "float32"}, data: []byte{0xcd, 0xcc, 0xcc, 0x3d}, want: `[0.1]`},
		{name: "int32 not quantized", spec: TensorSpec{Name: "c", DType: "int32"}, data: []byte{0xfe, 0xff, 0xff, 0xff}, want: `[-2]`},
		{name: "bool", spec: TensorSpec{Name: "b", DType: "bool"}, data: []byte{1, 0}, want: `[true,false]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.spec.AppendJSON(nil, tc.data, tc.raw, tc.shape)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := i8.AppendJSON(nil, []byte{1, 2, 3}, false, []int{2, 2}); err == nil {
		t.Fatal("3 elements into shape [2 2]: no error")
	}
}

func TestDatatypes(t *testing.T) {
	tests := []struct {
		spec             TensorSpec
		def, raw, output string
	}{
		{spec: TensorSpec{DType: "int8", Scale: 0.1}, def: "FP32", raw: "INT8"},
		{spec: TensorSpec{DType: "int8"}, def: "INT8", raw: "INT8"},
		{spec: TensorSpec{DType: "uint8", Scale: 1}, def: "FP32", raw: "UINT8"},
		{spec: TensorSpec{DType: "float32"}, def: "FP32", raw: "FP32"},
		{spec: TensorSpec{DType: "bool", Scale: 1}, def: "BOOL", raw: "BOOL"},
	}
	for _, tc := range tests {
		if d, r := tc.spec.DefaultDatatype(), tc.spec.RawDatatype(); d != tc.def || r != tc.raw {
			t.Errorf("%+v: default %s raw %s, want %s %s", tc.spec, d, r, tc.def, tc.raw)
		}
	}
	md := TensorSpec{Name: "x", DType: "int8", Shape: []int{1, 3}, Scale: 0.5, ZeroPoint: 2}.Metadata()
	if md.Datatype != "FP32" || md.Quantization == nil || md.Quantization.ZeroPoint != 2 || !slices.Equal(md.Shape, []int64{1, 3}) {
		t.Fatalf("metadata %+v", md)
	}
}
