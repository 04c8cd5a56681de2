"""Runs the Python example of README.md against an exported policy and compares its answer.

Usage: check_readme_python.py README MODEL FEATURES EXPECTED TOLERANCE

The example is the first ```python block after the heading "Calling the policy from Python"
(any level), up to the next heading. It is run as a script with `MODEL FEATURES` as its
arguments (FEATURES: a JSON object {feature name: value}) and must print, as the last line of
its output, a JSON object {output name: value}. EXPECTED is a JSON object of the same shape.
Exits 0 when the names agree and every value is within TOLERANCE (absolute, or relative for
values above 1); prints the largest difference either way. Anything missing (the heading, the
block, python3's torch) fails.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HEADING = "Calling the policy from Python"


def extract_example(readme_text):
    """The code of the first python block of the section, or None."""
    lines = readme_text.splitlines()
    start = None
    for index, line in enumerate(lines):
        if re.match(r"^#+\s+" + re.escape(HEADING) + r"\s*$", line):
            start = index + 1
            break
    if start is None:
        return None
    code = None
    for line in lines[start:]:
        if code is None:
            if line.startswith("#"):
                return None  # the next heading came before any python block
            if line.strip() == "```python":
                code = []
        elif line.strip() == "```":
            return "\n".join(code) + "\n"
        else:
            code.append(line)
    return None


def main():
    readme, model, features, expected_path, tolerance = sys.argv[1:6]
    tolerance = float(tolerance)
    with open(readme, encoding="utf-8") as handle:
        example = extract_example(handle.read())
    if example is None:
        print("no ```python block under a heading '%s' in %s" % (HEADING, readme))
        return 1

    # The block as a script of its own, run by the same interpreter.
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(example)
    try:
        run = subprocess.run([sys.executable, script.name, model, features],
                             capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(script.name)
    if run.returncode != 0:
        print("the example failed with status", run.returncode)
        print(run.stdout + run.stderr)
        return 1
    printed = [line for line in run.stdout.splitlines() if line.strip()]
    if not printed:
        print("the example printed nothing")
        return 1
    try:
        answer = json.loads(printed[-1])
    except json.JSONDecodeError:
        print("the example's last line is not JSON:", printed[-1])
        return 1

    # Same names, values within the tolerance.
    with open(expected_path, encoding="utf-8") as handle:
        expected = json.load(handle)
    if not isinstance(answer, dict) or sorted(answer) != sorted(expected):
        print("outputs", answer, "expected the names", sorted(expected))
        return 1
    worst = 0.0
    for name, value in expected.items():
        difference = abs(float(answer[name]) - value) / max(abs(value), 1.0)
        worst = max(worst, difference)
    print("largest difference", worst)
    return 0 if worst <= tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
