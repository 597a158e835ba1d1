import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import java.util.Collection;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Starts mongo-java-server on 127.0.0.1: the local stand-in for MongoDB (docs/local-stack.md).
 *
 * <pre>
 *   java -cp '&lt;libs&gt;/*:&lt;classes&gt;' MongoLauncher &lt;port&gt; memory
 *   java -cp '&lt;libs&gt;/*:&lt;classes&gt;' MongoLauncher &lt;port&gt; h2 &lt;data file&gt;
 * </pre>
 *
 * Prints a line with "ready" once it accepts connections; SIGTERM shuts it down cleanly (the H2
 * backend commits on the way out).
 */
public final class MongoLauncher {
    /**
     * What the server tells clients it is. The Node driver 7 (mongoose 9) refuses servers below
     * wire version 9 (MongoDB 4.4), and mongo-java-server 1.47 reports at most 8, even for its
     * MONGO_5_0. The number appears only in the hello reply: nothing in the server changes.
     */
    static final MongoVersion DRIVER_FLOOR =
            new MongoVersion() {
                @Override
                public List<Integer> getVersionArray() {
                    return List.of(4, 4, 0);
                }

                @Override
                public int getWireVersion() {
                    return 9;
                }
            };

    public static void main(String[] args) {
        boolean memory = args.length == 2 && args[1].equals("memory");
        boolean h2 = args.length == 3 && args[1].equals("h2");
        if (!memory && !h2) {
            System.err.println("usage: MongoLauncher <port> memory | MongoLauncher <port> h2 <data file>");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        MongoBackend backend = memory ? new IdFirstMemoryBackend() : new IdFirstH2Backend(args[2]);
        backend.version(DRIVER_FLOOR);
        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "shutdown"));
        System.out.println("mongo-java-server ready on 127.0.0.1:" + port + " (" + args[1] + " backend)");
    }

    /**
     * mongo-java-server uses an index only for a query with exactly the index's fields, so a
     * guarded update such as {_id: x, status: "due"} reads the whole collection (50 ms per update
     * at 100,000 documents, measured). MongoDB answers it from the _id index and checks the rest
     * on the one document found. This does the same: when a query pins _id to plain values
     * (equality or $in) beside other conditions, the candidates come from the _id index and the
     * whole query is still matched on each, so the results are the same, only found faster.
     */
    static <P> Iterable<P> idCandidates(List<Index<P>> indexes, Document query) {
        if (query.size() < 2 || !query.containsKey("_id")) return null;
        Object id = query.get("_id");
        if (id instanceof Document) {
            Document condition = (Document) id;
            Object values = condition.get("$in");
            if (condition.size() != 1 || !(values instanceof Collection)) return null;
            for (Object value : (Collection<?>) values) if (!isPlain(value)) return null;
        } else if (!isPlain(id)) {
            return null;
        }
        Document byId = new Document("_id", id);
        for (Index<P> index : indexes) if (index.canHandle(byId)) return index.getPositions(byId);
        return null;
    }

    private static boolean isPlain(Object value) {
        return value instanceof String || value instanceof Number || value instanceof ObjectId;
    }

    static final class IdFirstMemoryBackend extends MemoryBackend {
        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new MemoryDatabase(databaseName, getCursorRegistry()) {
                @Override
                protected MemoryCollection openOrCreateCollection(String name, CollectionOptions options) {
                    return new MemoryCollection(this, name, options, cursorRegistry) {
                        @Override
                        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit,
                                                             int batchSize, Document projection) {
                            Iterable<Integer> candidates = idCandidates(getIndexes(), query);
                            return candidates != null
                                ? matchDocuments(query, candidates, orderBy, skip, limit, batchSize, projection)
                                : super.queryDocuments(query, orderBy, skip, limit, batchSize, projection);
                        }
                    };
                }
            };
        }
    }

    static final class IdFirstH2Backend extends H2Backend {
        IdFirstH2Backend(String fileName) {
            super(fileName);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            // Captured before H2Database's constructor opens the existing collections.
            MVStore store = getMvStore();
            return new H2Database(databaseName, store, getCursorRegistry()) {
                @Override
                protected MongoCollection<Object> openOrCreateCollection(String name, CollectionOptions options) {
                    // The map names H2Database uses ("databases." and "meta." + namespace).
                    String namespace = getFullCollectionNamespace(name);
                    MVMap<Object, Document> data = store.openMap("databases." + namespace);
                    MVMap<String, Object> meta = store.openMap("meta." + namespace);
                    return new H2Collection(this, name, options, data, meta, cursorRegistry) {
                        @Override
                        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit,
                                                             int batchSize, Document projection) {
                            Iterable<Object> candidates = idCandidates(getIndexes(), query);
                            return candidates != null
                                ? matchDocuments(query, candidates, orderBy, skip, limit, batchSize, projection)
                                : super.queryDocuments(query, orderBy, skip, limit, batchSize, projection);
                        }
                    };
                }
            };
        }
    }
}
