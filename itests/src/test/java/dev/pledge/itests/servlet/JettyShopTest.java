package dev.pledge.itests.servlet;

import java.io.IOException;
import java.nio.file.Path;

/** The shop in Jetty 12 (ee10) standalone ({@code java -jar start.jar}), Pledge in the base's lib/ext, resources in webapps/shop.xml. */
class JettyShopTest extends ServletContainerBehaviour {
    @Override
    ShopServer newServer(Path base, ShopSettings settings) throws IOException {
        return new JettyServer(base, settings);
    }

    @Override
    String node() {
        return "shop-jetty";
    }
}
