// Produces test records with the Java client from the broker's own jars, as another emitter would.
//
// Run: java -cp '<kafka libs>/*' Producer.java BOOTSTRAP JOBS_FILE
// Each line of JOBS_FILE is one producer: "<compression> <mode> <records file>", where mode is
// plain (no transaction), commit, abort or open (a transaction left open: once every job is done
// the program prints "open" and ends the open transactions as the next line of standard input
// says, "commit" or "abort"). Each line of a records file is "<topic><TAB><value>" (UTF-8).
// Prints "done" at the end.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class Producer {
    public static void main(String[] args) throws Exception {
        List<KafkaProducer<byte[], byte[]>> open = new ArrayList<>();
        for (String job : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
            if (job.isBlank()) {
                continue;
            }
            String[] fields = job.split(" ", 3);
            KafkaProducer<byte[], byte[]> producer = produce(args[0], fields[0], fields[1], Path.of(fields[2]));
            switch (fields[1]) {
                case "commit" -> producer.commitTransaction();
                case "abort" -> producer.abortTransaction();
                case "open" -> open.add(producer);
                case "plain" -> { }
                default -> throw new IllegalArgumentException("unknown mode " + fields[1]);
            }
            if (!fields[1].equals("open")) {
                producer.close();
            }
        }
        if (!open.isEmpty()) {
            System.out.println("open");
            System.out.flush();
            String command = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            for (KafkaProducer<byte[], byte[]> producer : open) {
                if ("commit".equals(command)) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
                producer.close();
            }
        }
        System.out.println("done");
    }

    static KafkaProducer<byte[], byte[]> produce(String bootstrap, String compression, String mode, Path records)
            throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("compression.type", compression);
        props.put("linger.ms", "20");
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        boolean transactional = !mode.equals("plain");
        if (transactional) {
            props.put("transactional.id", "aftershock-test-" + UUID.randomUUID());
            props.put("transaction.timeout.ms", "300000");
        }
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        if (transactional) {
            producer.initTransactions();
            producer.beginTransaction();
        }
        int i = 0;
        for (String line : Files.readAllLines(records, StandardCharsets.UTF_8)) {
            String[] record = line.split("\t", 2);
            byte[] key = String.valueOf(i++ % 97).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(record[0], key, record[1].getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        return producer;
    }
}
