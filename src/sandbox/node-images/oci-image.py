#!/usr/bin/env python3
"""Write a one-layer OCI image layout (oci-layout, index.json, blobs/sha256/...) for provision-node.sh.

    oci-image.py layout OUTDIR LAYER_TAR REF CONFIG_JSON   → prints the manifest digest
    oci-image.py list IMAGES_DIR OUT_JSON NAME...          → writes manifest.json of the archives

The layer is the uncompressed rootfs tarball provision-node.sh made (fixed mtimes, owners and order),
so its digest is also its diff_id, and the whole layout is reproducible: the same rootfs gives the
same manifest digest. CONFIG_JSON holds the image config's `config` object (Entrypoint, Env, ...).

The index's manifest descriptor names the image twice, because importers differ: containerd reads
`io.containerd.image.name` (the full reference; ctr 1.6 `images import` names the image with it),
and the OCI annotation `org.opencontainers.image.ref.name` carries the tag alone, as `docker save`
and skopeo write it.
"""
import hashlib
import json
import os
import shutil
import sys


def blob(outdir, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(outdir, "blobs", "sha256", digest)
    with open(path, "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def layout(outdir, layer_tar, ref, config_json):
    os.makedirs(os.path.join(outdir, "blobs", "sha256"), exist_ok=True)
    h = hashlib.sha256()
    with open(layer_tar, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    layer_digest = "sha256:" + h.hexdigest()
    layer_size = os.path.getsize(layer_tar)
    shutil.copyfile(layer_tar, os.path.join(outdir, "blobs", "sha256", h.hexdigest()))

    config = {
        "architecture": "amd64",
        "os": "linux",
        # a fixed creation time keeps the digest reproducible
        "created": "1970-01-01T00:00:00Z",
        "config": json.loads(config_json),
        "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "gameday provision-node.sh (" + ref + ")"}],
    }
    config_digest, config_size = blob(outdir, canonical(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest, "size": layer_size}],
    }
    manifest_digest, manifest_size = blob(outdir, canonical(manifest))
    tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else "latest"
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest,
            "size": manifest_size,
            "platform": {"architecture": "amd64", "os": "linux"},
            "annotations": {"io.containerd.image.name": ref, "org.opencontainers.image.ref.name": tag},
        }],
    }
    with open(os.path.join(outdir, "index.json"), "wb") as f:
        f.write(canonical(index))
    with open(os.path.join(outdir, "oci-layout"), "wb") as f:
        f.write(canonical({"imageLayoutVersion": "1.0.0"}))
    print(manifest_digest)


def listing(images_dir, out_json, names):
    entries = []
    for name in names:
        with open(os.path.join(images_dir, name + ".ref")) as f:
            ref, digest = f.read().split()
        entries.append({"ref": ref, "archive": os.path.join(os.path.abspath(images_dir), name + ".tar"), "digest": digest})
    tmp = out_json + ".tmp"
    with open(tmp, "w") as f:
        json.dump(entries, f, indent=2)
        f.write("\n")
    os.replace(tmp, out_json)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "layout":
        layout(*sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "list":
        listing(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
