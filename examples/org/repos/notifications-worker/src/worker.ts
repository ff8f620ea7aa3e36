import { Kafka } from "kafkajs";

const kafka = new Kafka({ clientId: "notifications-worker", brokers: ["kafka-main:9092"] });

export async function run(): Promise<void> {
  const consumer = kafka.consumer({ groupId: "notifications-worker" });
  await consumer.connect();
  await consumer.subscribe({ topics: ["orders.events.v1", "payments.events.v1"] });
}
