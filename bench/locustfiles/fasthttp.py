"""Locust's side of the benchmark: a FastHttpUser requesting BENCH_PATH (default /hello)
as fast as it can, with no wait, the same work as bench/locustfiles/hello.ts."""
import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("BENCH_PATH", "/hello")


class BenchUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def get_path(self):
        self.client.get(PATH)
