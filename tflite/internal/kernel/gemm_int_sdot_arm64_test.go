package kernel

// dot4ExpectEnv states whether the CPU has SDOT (see TestDot4Selected):
// 1 under qemu-aarch64 -cpu max, 0 under -cpu cortex-a53.
const dot4ExpectEnv = "EDGEFLEET_TFLITE_EXPECT_SDOT"
