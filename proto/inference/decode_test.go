package inference

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeCases are request bodies with whether the fast path must take
// them (the common shapes clients send) or leave them to encoding/json.
var decodeCases = []struct {
	name, body string
	fast       bool
}{
	{"minimal", `{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":[0.5,-1,0.25,2,-0.125,0,1.5,-3]}]}`, true},
	{"spaced", " {\n \"id\" : \"r1\" ,\t\"inputs\" : [ { \"name\" : \"x\" , \"shape\" : [ 2 , 2 ] , \"datatype\" : \"INT8\" , \"data\" : [ [ 1 , 2 ] , [ 3 , -4 ] ] } ] } \r\n", true},
	{"outputs and parameters", `{"id":"é1","parameters":{"raw_outputs":true},"inputs":[{"name":"a","shape":[],"datatype":"BOOL","parameters":{"k":[1,{"x":"}"}]},"data":true}],"outputs":[{"name":"p","parameters":{"raw":true}},{"name":"q"}]}`, true},
	{"numbers", `{"inputs":[{"name":"a","shape":[6],"datatype":"FP32","data":[0,-0,1e3,1.5E-2,-2.25e+1,12345678901234567890]}]}`, true},
	{"empty arrays", `{"inputs":[],"outputs":[]}`, true},
	{"empty data", `{"inputs":[{"name":"a","shape":[0],"datatype":"FP32","data":[[],[]]}]}`, true},
	{"no inputs key", `{"id":"x"}`, true},
	{"empty object", `{}`, true},
	// Everything below is valid or invalid JSON that encoding/json must judge.
	{"null", `null`, false},
	{"case-folded key", `{"Inputs":[]}`, false},
	{"unknown key", `{"inputs":[],"extra":1}`, false},
	{"duplicate key", `{"inputs":[],"inputs":[]}`, false},
	{"duplicate parameters", `{"parameters":{"a":1},"parameters":{"b":2}}`, false},
	{"escaped string", `{"id":"a\"b"}`, false},
	{"invalid utf8", "{\"id\":\"\xff\"}", false},
	{"fractional shape", `{"inputs":[{"shape":[1.0]}]}`, false},
	{"huge shape", `{"inputs":[{"shape":[99999999999999999999]}]}`, false},
	{"null data", `{"inputs":[{"name":"a","data":null}]}`, false},
	{"string data", `{"inputs":[{"name":"a","data":["1"]}]}`, false},
	{"leading zero", `{"inputs":[{"name":"a","data":[01]}]}`, false},
	{"bare dot", `{"inputs":[{"name":"a","data":[1.]}]}`, false},
	{"trailing comma in data", `{"inputs":[{"name":"a","data":[1,]}]}`, false},
	{"trailing comma", `{"inputs":[],}`, false},
	{"nan", `{"inputs":[{"name":"a","data":[NaN]}]}`, false},
	{"truncated", `{"inputs":[`, false},
	{"trailing garbage", `{"inputs":[]} x`, false},
	{"two values", `{} {}`, false},
	{"id number", `{"id":1}`, false},
	{"parameters not object", `{"parameters":[1]}`, false},
	{"deep data", `{"inputs":[{"name":"a","data":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}]}`, false},
}

// normalized maps empty slices to nil: the fast path may keep a reused
// empty slice where encoding/json leaves nil, which no caller can tell
// apart by length.
func normalized(r InferRequest) InferRequest {
	if len(r.Inputs) == 0 {
		r.Inputs = nil
	}
	if len(r.Outputs) == 0 {
		r.Outputs = nil
	}
	for i := range r.Inputs {
		if len(r.Inputs[i].Shape) == 0 {
			r.Inputs[i].Shape = nil
		}
	}
	return r
}

// checkSameAsJSON decodes body with DecodeInferRequest into a reused
// request and requires encoding/json's result and error.
func checkSameAsJSON(t *testing.T, body []byte, reused *InferRequest) {
	t.Helper()
	var want InferRequest
	wantErr := json.Unmarshal(body, &want)
	gotErr := DecodeInferRequest(body, reused)
	if (wantErr == nil) != (gotErr == nil) || (wantErr != nil && wantErr.Error() != gotErr.Error()) {
		t.Fatalf("body %q: error %v, encoding/json says %v", body, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(normalized(*reused), normalized(want)) {
		t.Fatalf("body %q:\ngot  %+v\nwant %+v", body, *reused, want)
	}
}

func TestDecodeInferRequest(t *testing.T) {
	// One request reused across every case, as a server pool does, so
	// leftovers from a previous body would show.
	var reused InferRequest
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			var fresh InferRequest
			d := requestDecoder{buf: []byte(tc.body)}
			if got := d.request(&fresh); got != tc.fast {
				t.Errorf("fast path took it: %v, want %v", got, tc.fast)
			}
			checkSameAsJSON(t, []byte(tc.body), &reused)
		})
	}
}

func TestDecodeInferRequestAllocs(t *testing.T) {
	body := []byte(decodeCases[0].body)
	var req InferRequest
	if err := DecodeInferRequest(body, &req); err != nil {
		t.Fatal(err)
	}
	// Reused: names are kept, shapes and inputs reuse their capacity.
	if n := testing.AllocsPerRun(100, func() { _ = DecodeInferRequest(body, &req) }); n != 0 {
		t.Fatalf("%v allocations per decode, want 0", n)
	}
}

func FuzzDecodeInferRequest(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var reused InferRequest
		_ = DecodeInferRequest([]byte(decodeCases[2].body), &reused)
		checkSameAsJSON(t, body, &reused)
	})
}

func BenchmarkDecodeInferRequest(b *testing.B) {
	body := []byte(decodeCases[0].body)
	b.Run("fast", func(b *testing.B) {
		var req InferRequest
		b.ReportAllocs()
		for b.Loop() {
			if err := DecodeInferRequest(body, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var req InferRequest
			if err := json.Unmarshal(body, &req); err != nil {
				b.Fatal(err)
			}
		}
	})
}
