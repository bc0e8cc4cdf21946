"""The capture dataset (Hive-partitioned Parquet): written by `tracy-mcp export-dataset`, read back as is by DuckDB,
pyarrow.dataset, Polars and Spark with the same answers as SQL over the loaded captures."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import CAPTURES, require_shared

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

from tracy_mcp import open_capture  # noqa: E402
from tracy_mcp.cli import main  # noqa: E402
from tracy_mcp.export.dataset import SCHEMA_FILE, DatasetError, capture_name, export_dataset  # noqa: E402
from tracy_mcp.tables.catalog import TABLES  # noqa: E402

PLANTED = CAPTURES / "planted"
NAMES = ("regression_a", "regression_b", "memory_leak")

# The README's cross-capture regression query; `zones` is the dataset's zones of every capture.
REGRESSION = """
SELECT name,
       avg(duration_ns) FILTER (WHERE capture = 'regression_a') AS mean_a_ns,
       avg(duration_ns) FILTER (WHERE capture = 'regression_b') AS mean_b_ns,
       mean_b_ns / mean_a_ns AS ratio
FROM zones WHERE duration_ns > 0
GROUP BY name HAVING count(*) FILTER (WHERE capture = 'regression_a') > 0
ORDER BY ratio DESC
"""


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_shared()
    out = tmp_path_factory.mktemp("dataset")
    assert main(["export-dataset", str(out), *(str(PLANTED / f"{n}.tracy") for n in NAMES)]) == 0
    return out


def _duck_table(root: Path, table: str) -> str:
    return f"read_parquet('{root}/capture=*/table={table}/*.parquet', hive_partitioning = true)"


def test_layout_and_schema_file(dataset: Path) -> None:
    assert sorted(p.name for p in dataset.iterdir()) == sorted([SCHEMA_FILE, *(f"capture={n}" for n in NAMES)])
    for n in NAMES:
        assert sorted(p.name for p in (dataset / f"capture={n}").iterdir()) == sorted(f"table={t}" for t in TABLES)
        assert (dataset / f"capture={n}" / "table=zones" / "part-0.parquet").is_file()
    doc = (dataset / SCHEMA_FILE).read_text()
    for name, spec in TABLES.items():
        assert f"### {name}" in doc and all(f"`{c}`" in doc for c in spec.column_names())


def test_duckdb_reads_every_table_back_unchanged(dataset: Path) -> None:
    con = duckdb.connect()
    for n in NAMES:
        with open_capture(PLANTED / f"{n}.tracy") as ctx:
            for table in TABLES:
                back = con.sql(
                    f"SELECT * EXCLUDE (capture, \"table\") FROM {_duck_table(dataset, table)} WHERE capture = '{n}'"
                ).to_arrow_table()
                assert back.equals(ctx.sql(f"SELECT * FROM {table}", arrow=True)), (n, table)


def test_duckdb_regression_query_over_the_dataset(dataset: Path) -> None:
    con = duckdb.connect()
    con.execute(f"CREATE VIEW zones AS SELECT * FROM {_duck_table(dataset, 'zones')}")
    top = con.sql(REGRESSION).fetchall()
    assert top[0][0] == "Renderer::SortDrawCalls" and top[0][3] == pytest.approx(2.485, rel=0.01)


def test_pyarrow_dataset_reads_it(dataset: Path) -> None:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    files = glob.glob(f"{dataset}/capture=*/table=memory_events/*.parquet")
    events = ds.dataset(files, format="parquet", partitioning="hive", partition_base_dir=str(dataset)).to_table()
    leak = events.filter(pc.and_(pc.equal(events["capture"], "memory_leak"), pc.is_null(events["free_ns"])))
    assert (leak.num_rows, pc.sum(leak["size_bytes"]).as_py()) == (144, 442368)
    zones = ds.dataset(
        glob.glob(f"{dataset}/capture=*/table=zones/*.parquet"), partitioning="hive", partition_base_dir=str(dataset)
    ).to_table(columns=["capture", "name"])
    counts = {str(d["values"]): d["counts"] for d in pc.value_counts(zones["capture"]).to_pylist()}
    for n in NAMES:
        with open_capture(PLANTED / f"{n}.tracy") as ctx:
            assert counts[n] == ctx.get_zone_count()


def test_polars_reads_it(dataset: Path) -> None:
    pl = pytest.importorskip("polars", reason="polars is not installed (optional: the dataset is plain Parquet)")
    zones = pl.scan_parquet(f"{dataset}/capture=*/table=zones/*.parquet", hive_partitioning=True)
    per = dict(zones.group_by("capture").agg(pl.len()).collect().iter_rows())
    assert set(per) == set(NAMES)


def test_export_again_replaces_one_capture(dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    shutil.copytree(dataset, out)
    with open_capture(PLANTED / "regression_a.tracy") as ctx:
        written = export_dataset(out, {"regression_b": ctx}, tables=["zones", "frames"])
        assert written == {"regression_b": {"zones": ctx.get_zone_count(), "frames": ctx.get_frame_count()}}
    assert sorted(p.name for p in (out / "capture=regression_b").iterdir()) == ["table=frames", "table=zones"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("capture=")) == [
        f"capture={n}" for n in sorted(NAMES)
    ]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_bad_names_and_tables_are_clear_errors(tmp_path: Path) -> None:
    require_shared()
    with pytest.raises(DatasetError, match="cannot be a partition"):
        export_dataset(tmp_path, {"a/b": PLANTED / "regression_a.tracy"})
    with pytest.raises(DatasetError, match="unknown table"):
        export_dataset(tmp_path, {"a": PLANTED / "regression_a.tracy"}, tables=["zone"])
    assert capture_name("/x/my capture (1).tracy") == "my_capture__1_"
    assert main(["export-dataset", str(tmp_path), str(tmp_path / "missing.tracy")]) == 1


SPARK_SCRIPT = textwrap.dedent(
    """
    import sys
    from pyspark.sql import SparkSession
    root, query = sys.argv[1], sys.argv[2]
    spark = (SparkSession.builder.master("local[1]").appName("tracy-mcp-test")
             .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.shuffle.partitions", "1").config("spark.sql.adaptive.enabled", "false")
             .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    zones = spark.read.option("basePath", root).parquet(root + "/capture=*/table=zones")
    zones.createOrReplaceTempView("zones")
    top = spark.sql(query).collect()[0]
    events = spark.read.option("basePath", root).parquet(root + "/capture=*/table=memory_events")
    leak = events.where("capture = 'memory_leak' AND free_ns IS NULL").groupBy().sum("size_bytes").collect()[0][0]
    print(top["name"], round(top["ratio"], 3), leak)
    spark.stop()
    """
)


@pytest.mark.timeout(900)
def test_spark_reads_it(dataset: Path) -> None:
    pytest.importorskip("pyspark", reason="pyspark is not installed (it is in the dev extras)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime for Spark (scripts/install.sh installs one unless TRACY_MCP_JAVA=0)")
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "PYSPARK_PYTHON": sys.executable}
    run = subprocess.run(
        [sys.executable, "-c", SPARK_SCRIPT, str(dataset), REGRESSION],
        capture_output=True,
        text=True,
        timeout=840,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    name, ratio, leak = run.stdout.split()[-3:]
    assert (name, int(leak)) == ("Renderer::SortDrawCalls", 442368)
    assert float(ratio) == pytest.approx(2.485, rel=0.01)
