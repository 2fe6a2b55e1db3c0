"""`cmake --install` into a temporary prefix, then the examples built against
the installed libesmond through pkg-config (shared and static) and through the
CMake package (esmond::esmond, esmond::esmond_static), each run against the
installed esmond-ps-archive (127.0.0.1, ephemeral port, tests/data/replay).

    python3 -m unittest -v test_install
    env: ESM_BUILD_DIR ESM_SOURCE_DIR ESM_CMAKE ESM_GENERATOR ESM_CC ESM_CFLAGS
         ESM_VERSION ESM_MAN (1: man pages are built)
"""

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("ESM_SOURCE_DIR") or os.path.join(HERE, "..", "..")
BUILD = os.environ.get("ESM_BUILD_DIR") or os.path.join(SOURCE, "build")
CMAKE = os.environ.get("ESM_CMAKE", "cmake")
GENERATOR = os.environ.get("ESM_GENERATOR", "Ninja")
CC = os.environ.get("ESM_CC", "cc")
CFLAGS = shlex.split(os.environ.get("ESM_CFLAGS", ""))
VERSION = os.environ.get("ESM_VERSION", "0.1.0")
MAN = os.environ.get("ESM_MAN", "1") == "1"

PROGRAMS = {"esmond-ps-get-endpoints", "esmond-ps-get-metadata", "esmond-ps-get",
            "esmond-ps-get-bulk", "esmond-ps-pipe", "esmond-ps-load-gridftp", "esmond-ps-harvest",
            "esmond-ps-archive", "esmond-sample-data"}
EXAMPLES = ("list_tests", "read_series", "post_throughput")
REPLAY = os.path.join(SOURCE, "tests", "data", "replay")
API = "/esmond/perfsonar/archive"


def run(cmd, env=None, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       encoding="utf-8", errors="replace", timeout=300, **kw)
    if r.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
    return r.stdout


def header_functions():
    """The functions the public headers (include/esmond/*.h) declare (comments removed)."""
    names = set()
    inc = os.path.join(SOURCE, "include", "esmond")
    for header in sorted(os.listdir(inc)):
        with open(os.path.join(inc, header), encoding="utf-8") as f:
            text = re.sub(r"/\*.*?\*/|//[^\n]*", "", f.read(), flags=re.S)
        names |= set(re.findall(r"\b(esm_\w+)\s*\(", text))
    return names


def replay_tests():
    """{metadata key: set of event types} of the archive's data."""
    with open(os.path.join(REPLAY, "metadata.json"), encoding="utf-8") as f:
        return {m["metadata-key"]: {e["event-type"] for e in m["event-types"]} for m in json.load(f)}


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="esm-install-test.")
        cls.prefix = os.path.join(cls.tmp, "prefix")
        run([CMAKE, "--install", BUILD, "--prefix", cls.prefix])
        libdirs = glob.glob(os.path.join(cls.prefix, "lib*", "**", "libesmond.a"),
                            recursive=True)
        if len(libdirs) != 1:
            raise AssertionError("libesmond.a installed %d times: %s" % (len(libdirs), libdirs))
        cls.libdir = os.path.dirname(libdirs[0])
        os.environ["ESM_ARCHIVE"] = os.path.join(cls.prefix, "bin", "esmond-ps-archive")
        sys.path.insert(0, os.path.join(SOURCE, "tests", "http"))
        import harness  # the installed server, started as the HTTP tests start it
        cls.harness = harness

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_layout(self):
        self.assertEqual(set(os.listdir(os.path.join(self.prefix, "bin"))), PROGRAMS)
        major = VERSION.split(".")[0]
        self.assertEqual(os.readlink(os.path.join(self.libdir, "libesmond.so")), "libesmond.so." + major)
        self.assertEqual(os.readlink(os.path.join(self.libdir, "libesmond.so." + major)),
                         "libesmond.so." + VERSION)
        for f in ("include/esmond/esmond.h",):
            self.assertTrue(os.path.isfile(os.path.join(self.prefix, f)), f)
        for f in ("pkgconfig/libesmond.pc", "cmake/esmond/esmondConfig.cmake",
                  "cmake/esmond/esmondConfigVersion.cmake", "cmake/esmond/esmondTargets.cmake"):
            self.assertTrue(os.path.isfile(os.path.join(self.libdir, f)), f)
        if MAN:
            want = set()
            for scd in glob.glob(os.path.join(SOURCE, "doc", "man", "*.scd")):
                page = os.path.basename(scd)[:-len(".scd")]
                want.add("man%s/%s" % (page.rsplit(".", 1)[1], page))
            got = {os.path.relpath(p, os.path.join(self.prefix, "share", "man"))
                   for p in glob.glob(os.path.join(self.prefix, "share", "man", "man*", "*"))}
            self.assertEqual(got, want)

    def test_shared_library_exports_only_the_public_api(self):
        so = os.path.join(self.libdir, "libesmond.so." + VERSION)
        soname = re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]", run(["readelf", "-d", so]))
        self.assertEqual(soname.group(1), "libesmond.so." + VERSION.split(".")[0])
        exported = {line.split()[-1] for line in run(["nm", "-D", "--defined-only", so]).splitlines()
                    if line.split()[-2] in "TDBRVW"}
        self.assertEqual(exported - {"_init", "_fini"}, header_functions())

    def pkg_config(self, *args):
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.libdir, "pkgconfig"))
        return shlex.split(run(["pkg-config", *args], env=env))

    def compile(self, example, out, link_args):
        src = os.path.join(SOURCE, "examples", example + ".c")
        run([CC, *CFLAGS, *self.pkg_config("--cflags", "libesmond"), src, "-o", out, *link_args])
        return out

    def test_pkg_config_shared(self):
        libs = self.pkg_config("--libs", "libesmond")
        self.assertIn("-lesmond", libs)
        bins = {e: self.compile(e, os.path.join(self.tmp, "pc_shared_" + e), libs) for e in EXAMPLES}
        self.assertIn("libesmond.so.", run(["readelf", "-d", bins["list_tests"]]))
        self.exercise(bins, dict(os.environ, LD_LIBRARY_PATH=self.libdir))

    def test_pkg_config_static(self):
        # The fully static line (--static) needs static builds of libcurl's own
        # dependencies; libesmond.a itself needs only the modules and flags its
        # .pc names as private.
        self.assertIn("-lm", self.pkg_config("--static", "--libs", "libesmond"))
        private = self.pkg_config("--print-requires-private", "libesmond")
        self.assertEqual(set(private), {"libcurl", "jansson", "yajl"})
        libdir = self.pkg_config("--variable=libdir", "libesmond")[0]
        self.assertEqual(os.path.realpath(libdir), os.path.realpath(self.libdir))
        link = [os.path.join(libdir, "libesmond.a"), *self.pkg_config("--libs", *private), "-lm"]
        bins = {e: self.compile(e, os.path.join(self.tmp, "pc_static_" + e), link) for e in EXAMPLES}
        self.assertNotIn("libesmond", run(["readelf", "-d", bins["list_tests"]]))
        self.exercise(bins, dict(os.environ))

    def test_cmake_package(self):
        build = os.path.join(self.tmp, "consumer")
        run([CMAKE, "-S", os.path.join(HERE, "consumer"), "-B", build, "-G", GENERATOR,
             "-DCMAKE_C_COMPILER=" + CC, "-DCMAKE_C_FLAGS=" + " ".join(CFLAGS),
             "-DCMAKE_PREFIX_PATH=" + self.prefix, "-DESM_EXAMPLES=" + os.path.join(SOURCE, "examples")])
        run([CMAKE, "--build", build])
        for kind in ("shared", "static"):
            with self.subTest(kind):
                bins = {e: os.path.join(build, "%s_%s" % (e, kind)) for e in EXAMPLES}
                self.assertEqual("libesmond.so." in run(["readelf", "-d", bins["list_tests"]]),
                                 kind == "shared")
                self.exercise(bins, dict(os.environ))

    def exercise(self, bins, env):
        """The three examples against a fresh archive holding tests/data/replay."""
        a = self.harness.Archive(import_dir=REPLAY).start()
        try:
            got = {}
            for line in run([bins["list_tests"], a.base], env=env).splitlines():
                if line.startswith("    "):
                    got[key].add(line.strip())
                else:
                    key = line.split()[0]
                    got[key] = set()
            self.assertEqual(got, replay_tests())

            key = next(k for k in sorted(replay_tests())
                       if os.path.isfile(os.path.join(REPLAY, "data", k, "throughput", "base.json")))
            with open(os.path.join(REPLAY, "data", key, "throughput", "base.json"),
                      encoding="utf-8") as f:
                want = [(p["ts"], p["val"]) for p in json.load(f)]
            self.assertTrue(want)
            uri = "%s/%s/throughput/base" % (API, key)
            out = run([bins["read_series"], a.base, uri, "2000-01-01"], env=env)
            points = [(int(ts), json.loads(v)) for ts, v in (l.split(" ", 1) for l in out.splitlines())]
            self.assertEqual(points, want)

            out = run([bins["post_throughput"], a.base, "192.0.2.7", "198.51.100.7", "1234567.0",
                       "1700000000"], env=dict(env, ESMOND_TOKEN=a.token))
            m = re.fullmatch(r"stored 1234567\.0 at 1700000000 in (\S+)\n", out)
            self.assertTrue(m, out)
            uri = "%s/%s/throughput/base" % (API, m.group(1))
            out = run([bins["read_series"], a.base, uri, "2000-01-01"], env=env)
            self.assertEqual(out.split(), ["1700000000", "1234567.0"])
        finally:
            a.stop()
            a.cleanup()


if __name__ == "__main__":
    unittest.main()
