package api

import "github.com/edgefleet/edgefleet/proto/inference"

// appendInferResponse writes a whole response from its struct form with
// the hot path's helpers, for tests that check them against encoding/json.
func appendInferResponse(dst []byte, r *inference.InferResponse, cached bool) []byte {
	dst = appendInferHead(dst, r.ModelName, r.ModelVersion, r.ID, cached)
	for i, o := range r.Outputs {
		if i > 0 {
			dst = append(dst, ',')
		}
		shape := make([]int, len(o.Shape))
		for j, d := range o.Shape {
			shape[j] = int(d)
		}
		dst = appendOutputHead(dst, o.Name, shape, o.Datatype)
		dst = append(append(dst, o.Data...), '}')
	}
	return append(dst, "]}"...)
}
