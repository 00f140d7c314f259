import { redirect } from "next/navigation";
import { getActor, isCatalogPublic } from "@/lib/auth/actor";

/** The front door: the catalog, which visitors may browse too unless the operator closed it. */
export default async function Home() {
  redirect((await getActor()) || isCatalogPublic() ? "/apis" : "/login");
}
