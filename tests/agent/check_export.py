"""Runs an exported podsizer policy with Python's torch and compares it with expected outputs.

Usage: check_export.py MODEL INPUTS EXPECTED TOLERANCE
INPUTS and EXPECTED hold one row per line, values separated by spaces. Exits 0 when every
output is within TOLERANCE (absolute, or relative for values above 1) and the metadata is
readable; prints the largest difference either way. Any missing piece (python3, torch) fails.
"""
import json
import sys

import torch


def read_rows(path):
    with open(path) as handle:
        return [[float(value) for value in line.split()] for line in handle if line.strip()]


def main():
    model_path, inputs_path, expected_path, tolerance = sys.argv[1:5]
    tolerance = float(tolerance)
    extra = {"metadata.json": ""}
    module = torch.jit.load(model_path, _extra_files=extra)
    metadata = json.loads(extra["metadata.json"])
    inputs = torch.tensor(read_rows(inputs_path), dtype=torch.float32)
    expected = torch.tensor(read_rows(expected_path), dtype=torch.float64)

    if list(module.feature_names) != metadata["feature_names"]:
        print("feature names differ between the attribute and metadata.json")
        return 1
    if inputs.shape[1] != metadata["observation_size"]:
        print("inputs have", inputs.shape[1], "features, metadata says",
              metadata["observation_size"])
        return 1

    with torch.no_grad():
        outputs = module(inputs)
        single = module(inputs[0])
    if outputs.shape != expected.shape or single.dim() != 1:
        print("shape", tuple(outputs.shape), "expected", tuple(expected.shape))
        return 1
    scale = torch.clamp(expected.abs(), min=1.0)
    worst = ((outputs - expected).abs() / scale).max().item()
    print("largest difference", worst)
    return 0 if worst <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
