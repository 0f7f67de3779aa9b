package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	goruntime "runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgefleet/edgefleet/proto/inference"
	"github.com/edgefleet/edgefleet/tflite/builder"
)

// Input values for the tiny classifier: multiples of its input scale 1/32,
// so quantizing them is exact and the raw request is the same tensor.
var (
	floatInput = []float64{0.5, -1, 0.25, 2, -0.125, 0, 1.5, -3}
	rawInput   = []int8{16, -32, 8, 64, -4, 0, 48, -96}
)

func floatsJSON(v []float64) string { b, _ := json.Marshal(v); return string(b) }

func rawBytes() []byte {
	b := make([]byte, len(rawInput))
	for i, v := range rawInput {
		b[i] = byte(v)
	}
	return b
}

func dequantized(raw []byte, scale float32, zp int32) []float32 {
	out := make([]float32, len(raw))
	for i, q := range raw {
		out[i] = float32(float64(scale) * float64(int64(int8(q))-int64(zp)))
	}
	return out
}

func TestRoutes(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	inferBody := fmt.Sprintf(`{"id":"r1","inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput))
	tests := []struct {
		name, method, path, body string
		status                   int
		contains                 []string
	}{
		{"live", "GET", "/v2/health/live", "", 200, []string{`"live":true`}},
		{"ready", "GET", "/v2/health/ready", "", 503, []string{`"ready":false`, `model \"pending\" is installed but has no active version`}},
		{"server metadata", "GET", "/v2", "", 200, []string{`"name":"edgefleet-agent"`}},
		{"metadata", "GET", "/v2/models/tiny", "", 200, []string{`"name":"input","datatype":"FP32","shape":[1,8],"quantization":{"scale":0.03125,"zero_point":0}`, `"versions":["1"]`, `"platform":"tflite"`}},
		{"metadata version", "GET", "/v2/models/tiny/versions/1", "", 200, []string{`"name":"probabilities"`}},
		{"metadata other version", "GET", "/v2/models/tiny/versions/7", "", 404, []string{`version \"7\"`, `active version is \"1\"`}},
		{"metadata unknown", "GET", "/v2/models/nope", "", 404, []string{`model \"nope\"`}},
		{"metadata not active", "GET", "/v2/models/pending", "", 503, []string{`no active version`}},
		{"model ready", "GET", "/v2/models/tiny/ready", "", 200, []string{`"ready":true`, `"version":"1"`}},
		{"model ready version", "GET", "/v2/models/tiny/versions/1/ready", "", 200, []string{`"ready":true`}},
		{"model ready unknown", "GET", "/v2/models/nope/ready", "", 404, nil},
		{"infer", "POST", "/v2/models/tiny/infer", inferBody, 200, []string{`"model_name":"tiny"`, `"model_version":"1"`, `"id":"r1"`, `"datatype":"FP32"`}},
		{"infer version", "POST", "/v2/models/tiny/versions/1/infer", inferBody, 200, []string{`"model_version":"1"`}},
		{"infer other version", "POST", "/v2/models/tiny/versions/2/infer", inferBody, 404, nil},
		{"infer unknown", "POST", "/v2/models/nope/infer", inferBody, 404, nil},
		{"infer not active", "POST", "/v2/models/pending/infer", inferBody, 503, []string{`no active version`}},
		{"tf status", "GET", "/v1/models/tiny", "", 200, []string{`"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]`}},
		{"tf status version", "GET", "/v1/models/tiny/versions/1", "", 200, []string{`"version":"1"`}},
		{"tf status unknown", "GET", "/v1/models/nope", "", 404, nil},
		{"tf predict rows", "POST", "/v1/models/tiny:predict", fmt.Sprintf(`{"instances":[%s]}`, floatsJSON(floatInput)), 200, []string{`"predictions":[[`, `"model_version":"1"`}},
		{"tf predict rows objects", "POST", "/v1/models/tiny:predict", fmt.Sprintf(`{"instances":[{"input":%s}]}`, floatsJSON(floatInput)), 200, []string{`"predictions":[[`}},
		{"tf predict columns", "POST", "/v1/models/tiny:predict", fmt.Sprintf(`{"inputs":[%s]}`, floatsJSON(floatInput)), 200, []string{`"outputs":[[`}},
		{"tf predict columns object", "POST", "/v1/models/tiny/versions/1:predict", fmt.Sprintf(`{"inputs":{"input":[%s]}}`, floatsJSON(floatInput)), 200, []string{`"outputs":[[`, `"model_version":"1"`}},
		{"tf predict other version", "POST", "/v1/models/tiny/versions/3:predict", `{"inputs":[[1,2,3,4,5,6,7,8]]}`, 404, nil},
		{"tf predict unknown", "POST", "/v1/models/nope:predict", `{"inputs":[[1,2,3,4,5,6,7,8]]}`, 404, nil},
		{"tf classify", "POST", "/v1/models/tiny:classify", `{"inputs":[[1]]}`, 404, []string{"only :predict"}},
		{"tf both formats", "POST", "/v1/models/tiny:predict", `{"inputs":[[1]],"instances":[[1]]}`, 400, []string{"exactly one of"}},
		{"tf neither format", "POST", "/v1/models/tiny:predict", `{}`, 400, []string{"exactly one of"}},
		{"tf wrong shape", "POST", "/v1/models/tiny:predict", `{"inputs":[[1,2,3]]}`, 400, []string{`"input":"input"`, `"field":"shape"`, `"expected":"[1 8]"`, `"got":"[1 3]"`}},
		{"tf wrong instances", "POST", "/v1/models/tiny:predict", `{"instances":[[1,2,3,4,5,6,7,8],[1,2,3,4,5,6,7,8]]}`, 400, []string{`"field":"instances"`, `"got":"2"`}},
		{"tf extra input", "POST", "/v1/models/tiny:predict", `{"inputs":{"input":[[1,2,3,4,5,6,7,8]],"mask":[1]}}`, 400, []string{`"input":"mask"`}},
		{"tf missing input", "POST", "/v1/models/tiny:predict", `{"inputs":{"x":[1]}}`, 400, []string{`"input":"input"`, `no such key`}},
		{"tf bad json", "POST", "/v1/models/tiny:predict", `{"inputs":`, 400, []string{"not a TF Serving predict request"}},
		{"unknown route", "GET", "/v3/nothing", "", 404, []string{`"error":`}},
		// echo answers an unrouted method on a grouped path with 404.
		{"wrong method", "DELETE", "/v2/models/tiny/infer", "", 404, []string{`"error":`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := f.do(t, tc.method, tc.path, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d; body %s", status, tc.status, body)
			}
			for _, want := range tc.contains {
				if !strings.Contains(string(body), want) {
					t.Errorf("body %s lacks %s", body, want)
				}
			}
			if !json.Valid(body) {
				t.Errorf("body is not JSON: %s", body)
			}
		})
	}
}

func TestReadyWhenEveryModelActive(t *testing.T) {
	f := newFixture(t, fixtureOpts{catalog: catalog{"tiny"}})
	if status, _, body := f.do(t, "GET", "/v2/health/ready", ""); status != 200 || !strings.Contains(string(body), `"ready":true`) {
		t.Fatalf("ready: %d %s", status, body)
	}
	f.rt.Unload("tiny")
	if status, _, body := f.do(t, "GET", "/v2/health/ready", ""); status != 503 || !strings.Contains(string(body), "no model is active") {
		t.Fatalf("ready without models: %d %s", status, body)
	}
}

// TestInferValues checks the numbers: floats are quantized like TFLite,
// outputs equal the interpreter's, dequantized or raw on request.
func TestInferValues(t *testing.T) {
	f := newFixture(t, fixtureOpts{})
	wantRaw, outInfo := reference(t, f.blob, rawBytes())
	wantFloat := dequantized(wantRaw, outInfo.Scale, outInfo.ZeroPoint)

	raws := make([]string, len(rawInput))
	for i, v := range rawInput {
		raws[i] = fmt.Sprint(v)
	}
	rawJSON := "[" + strings.Join(raws, ",") + "]"
	tests := []struct {
		name, body string
		wantDT     string
		raw        bool
	}{
		{"floats flat", fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput)), "FP32", false},
		{"floats nested", fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":[%s]}]}`, floatsJSON(floatInput)), "FP32", false},
		{"raw in", fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"INT8","data":%s}]}`, rawJSON), "FP32", false},
		{"raw out", fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"INT8","data":%s}],"outputs":[{"name":"probabilities","parameters":{"raw":true}}]}`, rawJSON), "INT8", true},
		{"raw outputs param", fmt.Sprintf(`{"parameters":{"raw_outputs":true},"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput)), "INT8", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := f.do(t, "POST", "/v2/models/tiny/infer", tc.body)
			if status != 200 {
				t.Fatalf("status %d: %s", status, body)
			}
			if hdr.Get(versionHeader) != "1" {
				t.Errorf("version header %q", hdr.Get(versionHeader))
			}
			resp := decode[inference.InferResponse](t, body)
			if len(resp.Outputs) != 1 || resp.Outputs[0].Datatype != tc.wantDT || fmt.Sprint(resp.Outputs[0].Shape) != "[1 4]" {
				t.Fatalf("outputs %+v", resp.Outputs)
			}
			var got []float64
			if err := json.Unmarshal(resp.Outputs[0].Data, &got); err != nil {
				t.Fatal(err)
			}
			for i, g := range got {
				want := float64(wantFloat[i])
				if tc.raw {
					want = float64(int8(wantRaw[i]))
				}
				if float32(g) != float32(want) {
					t.Fatalf("output[%d] = %v, want %v (all %v)", i, g, want, got)
				}
			}
		})
	}
	// TF Serving answers the same dequantized values, nested by shape.
	status, _, body := f.do(t, "POST", "/v1/models/tiny:predict", fmt.Sprintf(`{"instances":[%s]}`, floatsJSON(floatInput)))
	if status != 200 {
		t.Fatalf("predict: %d %s", status, body)
	}
	var pred struct{ Predictions [][]float32 }
	if err := json.Unmarshal(body, &pred); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(pred.Predictions) != fmt.Sprint([][]float32{wantFloat}) {
		t.Fatalf("predictions %v, want %v", pred.Predictions, wantFloat)
	}
}

func TestInferErrors(t *testing.T) {
	f := newFixture(t, fixtureOpts{bodyLimit: 600})
	in := func(name, dt, shape, data string) string {
		return fmt.Sprintf(`{"name":%q,"shape":%s,"datatype":%q,"data":%s}`, name, shape, dt, data)
	}
	ok := in("input", "FP32", "[1,8]", "[1,2,3,4,5,6,7,8]")
	tests := []struct {
		name, body string
		status     int
		want       inference.ErrorResponse
	}{
		{"wrong shape", `{"inputs":[` + in("input", "FP32", "[8]", "[1,2,3,4,5,6,7,8]") + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "shape", Expected: "[1 8]", Got: "[8]"}},
		{"wrong datatype", `{"inputs":[` + in("input", "UINT8", "[1,8]", "[1,2,3,4,5,6,7,8]") + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "datatype", Expected: "FP32 or INT8", Got: `"UINT8"`}},
		{"too few values", `{"inputs":[` + in("input", "FP32", "[1,8]", "[1,2,3]") + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "data", Expected: "8 values for shape [1 8]", Got: "3 values"}},
		{"wrong nesting", `{"inputs":[` + in("input", "FP32", "[1,8]", "[[1,2,3,4],[5,6,7,8]]") + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "data", Expected: "nesting [1 8] (the shape)", Got: "nesting [2 4]"}},
		{"raw out of range", `{"inputs":[` + in("input", "INT8", "[1,8]", "[1,2,3,4,5,6,7,200]") + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "data[7]", Expected: "an integer in [-128, 127]", Got: "200"}},
		{"not numbers", `{"inputs":[` + in("input", "FP32", "[1,8]", `["a"]`) + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "data"}},
		{"missing input", `{"inputs":[]}`, 400, inference.ErrorResponse{Input: "input", Field: "name", Got: "no such input in the request"}},
		{"extra input", `{"inputs":[` + ok + `,` + in("mask", "FP32", "[1]", "[1]") + `]}`, 400, inference.ErrorResponse{Input: "mask", Field: "name", Got: `"mask"`}},
		{"duplicate input", `{"inputs":[` + ok + `,` + ok + `]}`, 400, inference.ErrorResponse{Input: "input", Field: "name", Got: "it twice"}},
		{"unknown output", `{"inputs":[` + ok + `],"outputs":[{"name":"logits"}]}`, 400, inference.ErrorResponse{}},
		{"bad json", `{"inputs":[`, 400, inference.ErrorResponse{}},
		{"body too large", `{"inputs":[` + ok + `],"id":"` + strings.Repeat("x", 600) + `"}`, 413, inference.ErrorResponse{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := f.do(t, "POST", "/v2/models/tiny/infer", tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			got := decode[inference.ErrorResponse](t, body)
			if got.Error == "" {
				t.Fatalf("no error message: %s", body)
			}
			if tc.want.Input != got.Input || tc.want.Field != got.Field || !strings.HasPrefix(got.Expected, tc.want.Expected) || !strings.HasPrefix(got.Got, tc.want.Got) {
				t.Fatalf("error %+v, want %+v", got, tc.want)
			}
			if tc.want.Input != "" && !strings.Contains(got.Error, tc.want.Input) {
				t.Fatalf("message %q does not name input %q", got.Error, tc.want.Input)
			}
		})
	}
}

func TestMemoAndMetrics(t *testing.T) {
	f := newFixture(t, fixtureOpts{memo: true})
	body := fmt.Sprintf(`{"inputs":[{"name":"input","shape":[1,8],"datatype":"FP32","data":%s}]}`, floatsJSON(floatInput))
	var first, second []byte
	for i := range 2 {
		status, _, b := f.do(t, "POST", "/v2/models/tiny/infer", body)
		if status != 200 {
			t.Fatalf("status %d: %s", status, b)
		}
		if i == 0 {
			first = b
		} else {
			second = b
		}
	}
	if strings.Contains(string(first), `"cached"`) || !strings.Contains(string(second), `"parameters":{"cached":true}`) {
		t.Fatalf("first %s\nsecond %s", first, second)
	}
	f.do(t, "GET", "/v2/models/nope", "")
	status, _, metrics := f.do(t, "GET", "/metrics", "")
	if status != 200 {
		t.Fatalf("metrics status %d", status)
	}
	for _, want := range []string{
		`edgefleet_agent_inferences_total{model="tiny",result="ok",version="1"} 1`,
		`edgefleet_agent_inferences_total{model="tiny",result="cached",version="1"} 1`,
		`edgefleet_agent_inference_duration_seconds_count{model="tiny",version="1"} 2`,
		`edgefleet_agent_memo_hits_total 1`,
		`edgefleet_agent_memo_misses_total 1`,
		`edgefleet_agent_queue_depth{model="tiny",version="1"} 0`,
		`edgefleet_agent_errors_total{kind="not_found",model=""} 1`,
		`edgefleet_agent_http_requests_total{code="200",method="POST",route="/v2/models/:name/infer"} 2`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestQueueFull floods a one-interpreter, no-queue pool: every request
// either succeeds or gets 429 with Retry-After, and some get 429.
func TestQueueFull(t *testing.T) {
	// A request holds the interpreter for microseconds, so on a two-core
	// machine two requests overlap only when one is descheduled inside
	// Invoke. One OS thread per client lets the kernel's time slicing do
	// that reliably, instead of relying on rare GC preemptions.
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(16))
	blob, err := builder.SmallConvNet(1)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, fixtureOpts{pool: 1, queue: 0, blob: blob, catalog: catalog{}})
	md := decode[inference.ModelMetadata](t, func() []byte { _, _, b := f.do(t, "GET", "/v2/models/tiny", ""); return b }())
	spec := md.Inputs[0]
	n := 1
	for _, d := range spec.Shape {
		n *= int(d)
	}
	vals := make([]float64, n)
	shape, _ := json.Marshal(spec.Shape)
	body := fmt.Sprintf(`{"inputs":[{"name":%q,"shape":%s,"datatype":%q,"data":%s}]}`, spec.Name, shape, spec.Datatype, floatsJSON(vals))
	var (
		mu    sync.Mutex
		codes = map[int]int{}
		wg    sync.WaitGroup
	)
	// At least 20 requests per client, and more until some got 429 (or
	// time is up): overlaps are frequent but not guaranteed in a burst.
	deadline := time.Now().Add(10 * time.Second)
	more := func(i int) bool {
		mu.Lock()
		defer mu.Unlock()
		return i < 20 || (codes[http.StatusTooManyRequests] == 0 && time.Now().Before(deadline))
	}
	for range 16 {
		wg.Go(func() {
			for i := 0; more(i); i++ {
				status, hdr, b := f.do(t, "POST", "/v2/models/tiny/infer", body)
				if status == http.StatusTooManyRequests && hdr.Get("Retry-After") != "1" {
					t.Errorf("429 without Retry-After: %v", hdr)
				}
				if status != 200 && status != 429 {
					t.Errorf("status %d: %s", status, b)
				}
				mu.Lock()
				codes[status]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("status counts: %v", codes)
	if codes[429] == 0 || codes[200] == 0 {
		t.Fatalf("want both 200 and 429, got %v", codes)
	}
}

// TestAppendInferResponse checks the hand-written encoder against
// encoding/json's decoding of the same struct.
func TestAppendInferResponse(t *testing.T) {
	r := inference.InferResponse{ModelName: "m", ModelVersion: "v\"1<", ID: "é", Outputs: []inference.InferOutput{
		{Name: "a", Shape: []int64{1, 2}, Datatype: "FP32", Data: json.RawMessage(`[0.5,1]`)},
		{Name: "b", Shape: []int64{}, Datatype: "INT8", Data: json.RawMessage(`3`)},
	}}
	for _, cached := range []bool{false, true} {
		out := appendInferResponse(nil, &r, cached)
		var back inference.InferResponse
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		want := r
		if cached {
			want.Parameters = inference.Parameters{"cached": true}
		}
		if fmt.Sprint(back) != fmt.Sprint(want) {
			t.Fatalf("round trip\n%+v\nwant\n%+v", back, want)
		}
	}
}
