# libFuzzer targets: one foo_fuzz.cpp beside each decoder it exercises.
