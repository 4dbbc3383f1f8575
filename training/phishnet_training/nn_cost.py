"""Experiment (issue 19): per-URL cost of nn_sweep.py's MLP as an ONNX graph in onnxruntime (Python), one URL per run.

Usage: PYTHONPATH=training training/.venv/bin/python -m phishnet_training.nn_cost BUCKETS HIDDEN
(needs /tmp/nn-cache/matrix.pkl from nn_sweep.py for real n-gram rows; the weights are random, of the real shapes)."""
# Per-URL cost of the MLP part as an ONNX graph (Gather/Mul/ReduceSum/Add/Relu/MatMul/Sigmoid), onnxruntime (Python),
# one URL per run, 1 thread. Random weights of the real shapes; the URL's n-gram indices/values from the real matrix.
import pickle, time, sys, numpy as np, onnx, onnxruntime as ort
from onnx import helper as h, TensorProto as TP, numpy_helper as nh
from pathlib import Path
B, H = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
W1 = rng.normal(size=(B, H)).astype(np.float32); b1 = np.zeros(H, np.float32); W2 = rng.normal(size=(H, 1)).astype(np.float32); b2 = np.zeros(1, np.float32)
nodes = [h.make_node("Gather", ["W1", "idx"], ["g"], axis=0), h.make_node("Unsqueeze", ["val", "ax1"], ["v"]),
         h.make_node("Mul", ["g", "v"], ["gv"]), h.make_node("ReduceSum", ["gv", "ax0"], ["s"], keepdims=0),
         h.make_node("Add", ["s", "b1"], ["a"]), h.make_node("Relu", ["a"], ["r"]), h.make_node("Unsqueeze", ["r", "ax0"], ["r2"]),
         h.make_node("MatMul", ["r2", "W2"], ["o"]), h.make_node("Add", ["o", "b2"], ["o2"]), h.make_node("Sigmoid", ["o2"], ["p"])]
g = h.make_graph(nodes, "mlp", [h.make_tensor_value_info("idx", TP.INT64, ["k"]), h.make_tensor_value_info("val", TP.FLOAT, ["k"])],
                 [h.make_tensor_value_info("p", TP.FLOAT, [1, 1])],
                 [nh.from_array(W1, "W1"), nh.from_array(b1, "b1"), nh.from_array(W2, "W2"), nh.from_array(b2, "b2"),
                  nh.from_array(np.array([1], np.int64), "ax1"), nh.from_array(np.array([0], np.int64), "ax0")])
model = h.make_model(g, opset_imports=[h.make_opsetid("", 17)], ir_version=9); onnx.checker.check_model(model)
so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
m = pickle.loads(Path("/tmp/nn-cache/matrix.pkl").read_bytes()); N = m.N[:3000]
rows = [(N.indices[N.indptr[i]:N.indptr[i+1]].astype(np.int64) % B, N.data[N.indptr[i]:N.indptr[i+1]]) for i in range(N.shape[0])]
for i, v in rows[:200]: sess.run(None, {"idx": i, "val": v})
ts = []
for i, v in rows:
    t0 = time.perf_counter_ns(); sess.run(None, {"idx": i, "val": v}); ts.append(time.perf_counter_ns() - t0)
# the run overhead alone: an empty-ish graph of one Identity
g0 = h.make_graph([h.make_node("Identity", ["val"], ["p"])], "id", [h.make_tensor_value_info("val", TP.FLOAT, ["k"])], [h.make_tensor_value_info("p", TP.FLOAT, ["k"])])
s0 = ort.InferenceSession(h.make_model(g0, opset_imports=[h.make_opsetid("", 17)], ir_version=9).SerializeToString(), so, providers=["CPUExecutionProvider"])
t0s = []
for i, v in rows:
    t0 = time.perf_counter_ns(); s0.run(None, {"val": v}); t0s.append(time.perf_counter_ns() - t0)
print(f"buckets {B} hidden {H}: MLP graph median {np.median(ts)/1000:.1f} us p90 {np.percentile(ts,90)/1000:.1f} us; identity graph median {np.median(t0s)/1000:.1f} us; model {W1.nbytes/2**20:.1f} MiB float32")
