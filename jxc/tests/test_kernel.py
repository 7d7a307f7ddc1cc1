"""The shared kernel's boundaries, read from the source (no import needed)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import jxc

ROOT = Path(__file__).resolve().parents[2]
JXC = ROOT / "jxc"
APPS = sorted(
    path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "jxc"
)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def kernel_files() -> list[Path]:
    return [
        path
        for name in jxc.KERNEL
        for path in (
            sorted((JXC / name).rglob("*.py"))
            if (JXC / name).is_dir()
            else [JXC / f"{name}.py"]
        )
    ]


def test_the_apps_are_found():
    assert {"catalog", "inventory", "purchasing", "sales", "reports"} <= set(APPS)


def test_every_module_of_jxc_is_kernel_or_project():
    found = {path.stem for path in JXC.iterdir() if path.suffix == ".py"} | {
        path.name for path in JXC.iterdir() if (path / "__init__.py").exists()
    }
    assert found - {"__init__"} == set(jxc.KERNEL) | set(jxc.PROJECT)
    assert not set(jxc.KERNEL) & set(jxc.PROJECT)


@pytest.mark.parametrize("path", kernel_files(), ids=lambda p: str(p.relative_to(JXC)))
def test_no_kernel_module_imports_an_app(path):
    apps = [name for name in imported(path) if name.split(".")[0] in APPS]
    assert apps == []


def test_no_service_or_selector_imports_a_template_tag_module():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for app in [*APPS, "jxc"]
        for pattern in ("services.py", "selectors.py", "documents.py")
        for path in (ROOT / app).glob(pattern)
        for name in imported(path)
        if "templatetags" in name.split(".")
    ]
    assert offenders == []


def test_the_kernel_has_no_import_circle():
    kernel = {path.stem for path in JXC.glob("*.py")} & set(jxc.KERNEL)
    graph = {
        name: {
            other.split(".")[1]
            for other in imported(JXC / f"{name}.py")
            if other.startswith("jxc.") and other.split(".")[1] in kernel
        }
        for name in kernel
    }

    def reaches(start, goal, seen):
        for step in graph[start] - seen:
            if step == goal or reaches(step, goal, seen | {step}):
                return True
        return False

    assert [name for name in sorted(kernel) if reaches(name, name, set())] == []


@pytest.mark.parametrize("module", ["jxc.tabular", "jxc.xlsx_reader"])
def test_each_table_reader_imports_alone_in_a_fresh_interpreter(module):
    code = (
        "import django; from django.conf import settings; settings.configure(); "
        f"django.setup(); import {module}"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
