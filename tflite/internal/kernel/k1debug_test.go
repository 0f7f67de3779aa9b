package kernel

import (
	"os"
	"testing"

	"github.com/edgefleet/edgefleet/tflite/internal/schema"
	"github.com/edgefleet/edgefleet/tflite/internal/tensor"
)

func TestK1Debug(t *testing.T) {
	c := refCase{name: "dbg", options: depthwiseOpts(sameP, 1, 1, 2, 2, 1, actRelu),
			inputs: []refTensor{
				qIn(tensor.Int8, 0.05, 2, 131, 1, 7, 6, 2),
				qWeights(tensor.Int8, []float32{0.02}, 0, 132, 1, 3, 3, 2),
				qBias(0.05*0.02, 1000, 133, 2)},
			outputs: []refTensor{qOut(tensor.Int8, 0.08, -30, 1, 7, 6, 2)}}
	c.code = schema.BuiltinOperatorDEPTHWISE_CONV_2D
	c.version = 3
	m := c.buildModel()
	os.MkdirAll("/tmp/k1dbg", 0o755)
	os.WriteFile("/tmp/k1dbg/m.tflite", m, 0o644)
	os.WriteFile("/tmp/k1dbg/in.bin", c.inputs[0].data, 0o644)
	n := c.node(m)
	op, err := prepareDepthwiseConv2D(n)
	if err != nil {
		t.Fatal(err)
	}
	op.Eval()
	os.WriteFile("/tmp/k1dbg/ours.bin", n.Outputs[0].Data, 0o644)
}
