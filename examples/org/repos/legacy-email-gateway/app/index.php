<?php
// Legacy e-mail gateway. Frozen: security fixes only (see NOTIF-412).
require __DIR__ . '/../vendor/autoload.php';

$app = new \Slim\App();
$app->post('/api/send', function ($request, $response) {
    return $response->withStatus(202);
});
$app->run();
