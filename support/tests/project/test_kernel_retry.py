"""The root conftest lets nbval retry a notebook's kernel start, and cleans up a half-started kernel."""

import importlib.util
import types
from pathlib import Path

import nbval.kernel
import pytest

ROOT = Path(__file__).resolve().parents[3]


def course_conftest():
    spec = importlib.util.spec_from_file_location("course_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Manager:
    def __init__(self):
        self.shut_down = False

    def shutdown_kernel(self, now=False):
        self.shut_down = now


def kernel_module(failures: int):
    """Like nbval.kernel: a RunningKernel whose first ``failures`` starts fail after the process began."""

    class RunningKernel:
        managers: list[Manager] = []

        def __init__(self, name):
            self.km = Manager()
            type(self).managers.append(self.km)
            if len(type(self).managers) <= failures:
                raise RuntimeError("Kernel info reqest timed out after 10 seconds!")
            self.name = name

    return types.SimpleNamespace(RunningKernel=RunningKernel)


def test_a_failed_start_is_retried_reported_and_cleaned_up():
    conf, fake = course_conftest(), kernel_module(failures=2)
    conf.retry_kernel_start(fake)
    with pytest.warns(UserWarning, match="커널 시작 실패") as seen:
        kernel = fake.RunningKernel("python3")
    assert kernel.name == "python3" and len(seen) == 2
    assert [m.shut_down for m in fake.RunningKernel.managers] == [True, True, False]


def test_it_gives_up_after_the_last_try():
    conf, fake = course_conftest(), kernel_module(failures=99)
    conf.retry_kernel_start(fake)
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="timed out"):
        fake.RunningKernel("python3")
    assert len(fake.RunningKernel.managers) == conf.KERNEL_START_TRIES
    assert all(m.shut_down for m in fake.RunningKernel.managers)


def test_this_run_retries_nbval_kernel_starts():
    assert nbval.kernel.RunningKernel._sessionlab_retries
