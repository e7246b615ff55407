package io.seqstream.app.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * Keeps the state stores' larger values in RocksDB's blob files (its integrated BlobDB) instead of in the LSM
 * tree's files ({@code state.blob-files}, off by default). A key's state is a kilobyte or more (4 KB for a V5000
 * H256 L2 model) and rewritten whole on every commit it changes in; inside the tree every compaction copies it
 * again, and that copying is what made restoring a wiped state directory several times slower than reading its
 * changelog. In blob files a value is written once, and compactions move only its key and a pointer. Values
 * under {@link #MIN_BLOB_BYTES} (pending events, count topologies' longs) stay in the tree; blobs of overwritten
 * and deleted states are reclaimed by blob garbage collection, which rewrites the live values of the oldest blob
 * files as compactions reach them.
 *
 * <p>Off by default: blob garbage collection reclaims a blob file only once it is among the oldest quarter and a
 * compaction reaches it, so a store whose hot keys are rewritten every commit while idle keys wait for their TTL
 * grew to several times its live data ({@code StateFootprintTest}); collecting more of them (an age cutoff of 0.75,
 * or leveled compaction with a forced threshold) bounded that but gave the restore's gain back (README).
 *
 * <p>Only how RocksDB lays out new writes changes: a store written without blob files opens with them and the other
 * way round, so the setting can be switched on an existing state directory.
 */
public final class BlobFiles implements RocksDBConfigSetter {
    /** Values of at least this many bytes go to blob files. */
    public static final long MIN_BLOB_BYTES = 512;
    /** Target size of one blob file. */
    static final long BLOB_FILE_BYTES = 256L << 20;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setEnableBlobFiles(true);
        options.setMinBlobSize(MIN_BLOB_BYTES);
        options.setBlobFileSize(BLOB_FILE_BYTES);
        options.setEnableBlobGarbageCollection(true);
    }

    @Override
    public void close(String storeName, Options options) {
        // nothing allocated here: the options hold plain values
    }
}
