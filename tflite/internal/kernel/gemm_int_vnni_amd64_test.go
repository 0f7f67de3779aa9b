package kernel

// dot4ExpectEnv states whether the CPU has AVX512-VNNI (see
// TestDot4Selected): 1 in the Bochs run of `make vnni-check`.
const dot4ExpectEnv = "EDGEFLEET_TFLITE_EXPECT_VNNI"
